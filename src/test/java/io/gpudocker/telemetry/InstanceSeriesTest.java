package io.gpudocker.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceSeriesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    private static InstanceFigures figures(Instant at) {
        return new InstanceFigures("job", "alice", 1, at, null, null, List.of(), List.of());
    }

    private static InstancePoint point(int second, Double cpu, Double gpu) {
        return new InstancePoint(T0.plusSeconds(second), cpu, 1000L, gpu, null);
    }

    @Test
    void theRecentRingKeepsItsLastPointsOnly() {
        InstanceSeries s = new InstanceSeries(3, 10);
        for (int i = 0; i < 5; i++) {
            s.add(figures(T0.plusSeconds(i)), point(i, (double) i, null));
        }
        assertThat(s.recent(null)).extracting(InstancePoint::cpuPercent).containsExactly(2.0, 3.0, 4.0);
        assertThat(s.recent(T0.plusSeconds(4))).extracting(InstancePoint::cpuPercent).containsExactly(4.0);
        assertThat(s.lastAt()).isEqualTo(T0.plusSeconds(4));
    }

    @Test
    void aMinutesAverageIsAddedOnceTheNextMinuteStartsAndSkipsFiguresNoSampleHad() {
        InstanceSeries s = new InstanceSeries(100, 2);
        s.add(figures(T0), point(0, 10.0, null));
        s.add(figures(T0), point(30, 30.0, 50.0));
        assertThat(s.minutes(null)).isEmpty();
        s.add(figures(T0), point(60, 100.0, 0.0));
        assertThat(s.minutes(null)).containsExactly(new InstancePoint(T0, 20.0, 1000L, 50.0, null));
        s.add(figures(T0), point(120, 0.0, 0.0));
        s.add(figures(T0), point(180, 0.0, 0.0));
        assertThat(s.minutes(null)).extracting(InstancePoint::at).containsExactly(T0.plusSeconds(60), T0.plusSeconds(120));
    }
}
