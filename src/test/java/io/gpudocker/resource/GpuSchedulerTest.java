package io.gpudocker.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class GpuSchedulerTest {
    private static List<Gpu> gpus(int n) {
        List<Gpu> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Gpu(i, "GPU-" + i, "A100", 81920L));
        }
        Collections.reverse(list); // the inventory's order must not matter
        return list;
    }

    private static GpuScheduler scheduler(int n, Map<String, String> held) {
        GpuScheduler s = new GpuScheduler();
        List<Gpu> inv = new ArrayList<>(gpus(n));
        inv.sort((a, b) -> Integer.compare(a.index(), b.index()));
        s.load(inv, held);
        return s;
    }

    @Test
    void handsOutLowestIndexFirst() {
        GpuScheduler s = scheduler(8, Map.of("GPU-0", "other", "GPU-2", "other"));
        assertThat(s.reserve("a", List.of(), 3)).containsExactly("GPU-1", "GPU-3", "GPU-4");
    }

    @Test
    void liftingKeepsWhatItHadAndLoweringKeepsTheLowest() {
        GpuScheduler s = scheduler(8, Map.of());
        List<String> two = s.reserve("a", List.of(), 2);
        s.reserve("b", List.of(), 1);
        List<String> four = s.reserve("a", two, 4);
        assertThat(four).containsExactly("GPU-0", "GPU-1", "GPU-3", "GPU-4");
        assertThat(s.reserve("a", four, 1)).containsExactly("GPU-0");
    }

    @Test
    void notEnoughIsAConflictThatReservesNothing() {
        GpuScheduler s = scheduler(4, Map.of("GPU-0", "x", "GPU-1", "x"));
        assertThatThrownBy(() -> s.reserve("a", List.of(), 3))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.GPU_NOT_ENOUGH))
                .hasMessageContaining("only 2 more are free");
        assertThat(s.free()).containsExactly("GPU-2", "GPU-3");
    }

    @Test
    void countsOutsideTheInventoryAreInvalid() {
        GpuScheduler s = scheduler(2, Map.of());
        assertThatThrownBy(() -> s.reserve("a", List.of(), 3)).satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.GPU_COUNT_INVALID));
        assertThatThrownBy(() -> s.reserve("a", List.of(), -1)).satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.GPU_COUNT_INVALID));
    }

    @Test
    void releaseOnlyFreesWhatTheHolderHolds() {
        GpuScheduler s = scheduler(2, Map.of("GPU-0", "a", "GPU-1", "b"));
        s.release("a", List.of("GPU-0", "GPU-1"));
        assertThat(s.allocations()).doesNotContainKey("GPU-0").containsEntry("GPU-1", "b");
    }

    @Test
    void vanishedGpuStaysHeldButIsNeverHandedOut() {
        GpuScheduler s = scheduler(2, Map.of("GPU-9", "a"));
        assertThat(s.present("GPU-9")).isFalse();
        assertThat(s.allocations()).containsEntry("GPU-9", "a");
        assertThat(s.reserve("b", List.of(), 2)).containsExactly("GPU-0", "GPU-1");
    }

    @Test
    void concurrentReservationsNeverShareAGpu() throws Exception {
        GpuScheduler s = scheduler(64, Map.of());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String holder = "h" + i;
            results.add(pool.submit(() -> {
                try {
                    return s.reserve(holder, List.of(), 1);
                } catch (ApiException full) {
                    return List.of();
                }
            }));
        }
        Set<String> seen = new HashSet<>();
        int granted = 0;
        for (Future<List<String>> f : results) {
            for (String g : f.get()) {
                assertThat(seen.add(g)).as("GPU %s handed out twice", g).isTrue();
                granted++;
            }
        }
        pool.shutdown();
        assertThat(granted).isEqualTo(64);
        assertThat(s.free()).isEmpty();
    }
}
