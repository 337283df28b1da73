package io.gpudocker.resource.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuSchedulerTest {
    /** Two nodes of four cores: node 0 has 0-3, node 1 has 4-7. */
    private static CpuScheduler twoNodes(Map<Integer, String> held) {
        CpuScheduler s = new CpuScheduler();
        s.load(new CpuTopology(Map.of(0, List.of(0, 1, 2, 3), 1, List.of(4, 5, 6, 7)), Map.of()), held);
        return s;
    }

    @Test
    void takesTheCoresOfTheGpusNodeFirst() {
        CpuScheduler s = twoNodes(Map.of());
        assertThat(s.reserve("a", List.of(), 2, List.of(1))).containsExactly(4, 5);
        assertThat(s.reserve("b", List.of(), 2, List.of(0))).containsExactly(0, 1);
        assertThat(s.allocations()).containsEntry(4, "a").containsEntry(5, "a").containsEntry(0, "b").containsEntry(1, "b");
    }

    @Test
    void spillsToAnotherNodeOnlyWhenTheGpusNodeIsFull() {
        CpuScheduler s = twoNodes(Map.of(4, "x", 5, "x", 6, "x"));
        assertThat(s.reserve("a", List.of(), 3, List.of(1))).containsExactly(0, 1, 7);
    }

    @Test
    void withoutGpusPrefersTheTightestNodeThatHoldsEverything() {
        // node 0 has one core free, node 1 four: two cores fit only on node 1; one core fits best on node 0
        CpuScheduler s = twoNodes(Map.of(0, "x", 1, "x", 2, "x"));
        assertThat(s.reserve("a", List.of(), 1, List.of())).containsExactly(3);
        assertThat(s.reserve("b", List.of(), 2, List.of())).containsExactly(4, 5);
    }

    @Test
    void withoutGpusAndNoSingleNodeFittingTakesTheFullestNodeFirst() {
        CpuScheduler s = twoNodes(Map.of(0, "x", 1, "x", 4, "x"));
        assertThat(s.reserve("a", List.of(), 5, List.of())).containsExactly(2, 3, 5, 6, 7);
    }

    @Test
    void keepsTheCoresItHoldsAndAddsOrDropsTheRest() {
        CpuScheduler s = twoNodes(Map.of(4, "a", 5, "a"));
        assertThat(s.reserve("a", List.of(4, 5), 3, List.of(1))).containsExactly(4, 5, 6);
        assertThat(s.reserve("a", List.of(4, 5, 6), 1, List.of(1))).containsExactly(4);
    }

    @Test
    void neverHandsOutAHeldCoreAndSaysWhatIsFree() {
        CpuScheduler s = twoNodes(Map.of(0, "x", 1, "x", 2, "x", 4, "y", 5, "y"));
        assertThatThrownBy(() -> s.reserve("a", List.of(), 4, List.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CPU_NOT_ENOUGH))
                .hasMessageContaining("only 3 more are free")
                .hasMessageContaining("node 0 free: 3")
                .hasMessageContaining("node 1 free: 6-7");
        assertThat(s.free()).containsExactly(3, 6, 7);
    }

    @Test
    void moreCoresThanTheHostHandsOutIsBadInput() {
        CpuScheduler s = twoNodes(Map.of());
        assertThatThrownBy(() -> s.reserve("a", List.of(), 9, List.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CPU_COUNT_INVALID))
                .hasMessageContaining("8 core(s) (0-7)");
    }

    @Test
    void releasesOnlyWhatTheHolderHolds() {
        CpuScheduler s = twoNodes(Map.of(0, "a", 1, "b"));
        s.release("a", List.of(0, 1));
        assertThat(s.allocations()).isEqualTo(Map.of(1, "b"));
    }

    @Test
    void coresHeldButGoneFromTheHostAreNeitherFreeNorCounted() {
        CpuScheduler s = twoNodes(Map.of(42, "a"));
        assertThat(s.total()).isEqualTo(8);
        assertThat(s.free()).hasSize(8);
        assertThat(s.allocations()).containsEntry(42, "a");
    }

    @Test
    void choiceFollowsThePreferredOrder() {
        Map<Integer, List<Integer>> free = new LinkedHashMap<>();
        free.put(0, List.of(0, 1));
        free.put(1, List.of(4, 5));
        free.put(2, List.of(8, 9));
        assertThat(CpuScheduler.choose(free, 3, List.of(2, 1))).containsExactly(8, 9, 4);
    }

    @Test
    void cpuListsBothWays() {
        assertThat(CpuList.parse("0-3,8,10-11\n")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(CpuList.format(List.of(11, 0, 1, 2, 3, 8, 10))).isEqualTo("0-3,8,10-11");
        assertThat(CpuList.parse("")).isEmpty();
        assertThat(CpuList.format(List.of())).isEmpty();
        assertThatThrownBy(() -> CpuList.parse("3-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CpuList.parse("a")).isInstanceOf(IllegalArgumentException.class);
    }
}
