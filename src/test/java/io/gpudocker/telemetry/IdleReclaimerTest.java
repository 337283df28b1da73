package io.gpudocker.telemetry;

import io.gpudocker.common.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.api.Caller;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.ReplicaSetLifecycle;
import io.gpudocker.replicaset.UpdatePlans;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleReclaimerTest {
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final ReplicaSetLifecycle power = mock(ReplicaSetLifecycle.class);
    private final UpdatePlans updates = mock(UpdatePlans.class);
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));

    private IdleReclaimer reclaimer(String action, boolean evenWithSessions) {
        return new IdleReclaimer(10, Duration.ofMinutes(30), Duration.ofMinutes(5), action, evenWithSessions, engine, power, updates, clock);
    }

    private static InstanceFigures job(Integer... utils) {
        List<InstanceFigures.GpuFigure> gpus = java.util.Arrays.stream(utils)
                .map(u -> new InstanceFigures.GpuFigure("GPU-" + Math.random(), "A100", u, 0L, 81920L, 30, 50.0)).toList();
        return new InstanceFigures("job", "alice", 2, clock0(), null, null, gpus, List.of());
    }

    private static Instant clock0() { return Instant.parse("2026-01-01T10:00:00Z"); }

    private void passes(IdleReclaimer r, Duration every, Duration total, Integer... utils) {
        for (Duration d = Duration.ZERO; d.compareTo(total) <= 0; d = d.plus(every)) {
            r.afterPass(List.of(job(utils)));
            clock.advance(every);
        }
    }

    @Test
    void anIdleInstanceIsWarnedAtTheGraceAndStoppedWhenTheTimeIsUp() {
        IdleReclaimer r = reclaimer("stop", false);
        passes(r, Duration.ofMinutes(1), Duration.ofMinutes(25), 3, 5);
        assertThat(r.status("job")).get().extracting(IdleReclaimer.IdleStatus::warned).isEqualTo(true);
        verify(power, never()).stop(anyString(), any());
        passes(r, Duration.ofMinutes(1), Duration.ofMinutes(5), 3, 5);
        verify(power).stop("job", Caller.ADMIN);
    }

    @Test
    void oneBusyGpuOrOneWithoutAFigureKeepsTheInstanceFromBeingIdle() {
        IdleReclaimer r = reclaimer("stop", false);
        passes(r, Duration.ofMinutes(1), Duration.ofMinutes(40), 0, 50);
        passes(r, Duration.ofMinutes(1), Duration.ofMinutes(40), 0, null);
        assertThat(r.status("job")).isEmpty();
        verify(power, never()).stop(anyString(), any());
    }

    @Test
    void aBusyPassStartsTheIdleStretchAgain() {
        IdleReclaimer r = reclaimer("stop", false);
        passes(r, Duration.ofMinutes(1), Duration.ofMinutes(20), 0);
        passes(r, Duration.ofMinutes(1), Duration.ZERO, 90);
        passes(r, Duration.ofMinutes(1), Duration.ofMinutes(20), 0);
        verify(power, never()).stop(anyString(), any());
    }

    @Test
    void anOpenSessionSparesTheInstanceUnlessThePolicySaysOtherwise() {
        when(engine.runningExecs("job-2")).thenReturn(1);
        IdleReclaimer spare = reclaimer("stop", false);
        passes(spare, Duration.ofMinutes(1), Duration.ofMinutes(40), 0);
        verify(power, never()).stop(anyString(), any());
        assertThat(spare.status("job")).get().extracting(IdleReclaimer.IdleStatus::sparedForSession).isEqualTo(true);

        IdleReclaimer regardless = reclaimer("stop", true);
        passes(regardless, Duration.ofMinutes(1), Duration.ofMinutes(40), 0);
        verify(power).stop("job", Caller.ADMIN);
    }

    @Test
    void notifyTakesNothingAway() {
        IdleReclaimer r = reclaimer("notify", false);
        passes(r, Duration.ofMinutes(1), Duration.ofMinutes(40), 0);
        verify(power, never()).stop(anyString(), any());
        verify(updates, never()).patch(anyString(), any(), any());
    }
}
