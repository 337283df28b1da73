package io.gpudocker.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.resource.port.PortRange;
import io.gpudocker.resource.port.PortScheduler;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortSchedulerTest {

    @Test
    void skipsHeldAndHostBoundPortsLowestFirst() {
        PortScheduler s = new PortScheduler(new PortRange(40000, 40010), p -> p == 40001);
        s.load(Map.of(40000, "x"));
        assertThat(s.reserve("a", 2, List.of())).containsExactly(40002, 40003);
        assertThat(s.freeCount()).isEqualTo(11 - 3);
    }

    @Test
    void prefersTheWantedPortsWhenFree() {
        PortScheduler s = new PortScheduler(new PortRange(40000, 40010), p -> false);
        assertThat(s.reserve("a", 2, List.of(40007, 40009))).containsExactly(40007, 40009);
        assertThat(s.reserve("b", 1, List.of(40007))).containsExactly(40000);
    }

    @Test
    void runningOutIsAConflictThatReservesNothing() {
        PortScheduler s = new PortScheduler(new PortRange(40000, 40001), p -> false);
        assertThatThrownBy(() -> s.reserve("a", 3, List.of()))
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.PORT_NOT_ENOUGH));
        assertThat(s.allocations()).isEmpty();
    }

    @Test
    void releaseOnlyFreesTheHoldersPorts() {
        PortScheduler s = new PortScheduler(new PortRange(40000, 40010), p -> false);
        s.load(Map.of(40000, "a", 40001, "b"));
        s.release("a", Set.of(40000, 40001));
        assertThat(s.allocations()).containsOnlyKeys(40001);
    }

    @Test
    void rangeParsingRejectsInvertedAndMalformedRanges() {
        assertThat(PortRange.parse("40000-65535").size()).isEqualTo(25536);
        assertThatThrownBy(() -> PortRange.parse("5000-4000")).hasMessageContaining("inverted");
        assertThatThrownBy(() -> PortRange.parse("0-10")).hasMessageContaining("1-65535");
        assertThatThrownBy(() -> PortRange.parse("abc")).hasMessageContaining("40000-65535");
    }
}
