package io.gpudocker.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.TestClock;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.ReplicaSetLifecycle;
import io.gpudocker.replicaset.UpdatePlans;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An instance's own policy: checked whole against the operator's default, and overriding it on every pass. */
class ReclaimPolicyTest {
    private static final ReclaimPolicy OPERATOR = new ReclaimPolicy(10, Duration.ofMinutes(30), "stop", Duration.ofMinutes(5), false, false, "default");
    private final ReclaimPolicies withDefault = new ReclaimPolicies(null, null, null, OPERATOR);
    private final ReclaimPolicies withoutDefault = new ReclaimPolicies(null, null, null, null);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final ReplicaSetLifecycle power = mock(ReplicaSetLifecycle.class);
    private final UpdatePlans updates = mock(UpdatePlans.class);
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));

    @Test
    void fieldsLeftOutAreTheOperatorsAndAPolicyThatCannotBeIsRefusedNamingWhy() {
        ReclaimPolicy p = withDefault.policyOf(new ReclaimRequest(20, "10m", null, null, null, null));
        assertThat(p).isEqualTo(new ReclaimPolicy(20, Duration.ofMinutes(10), "stop", Duration.ofMinutes(5), false, false, "instance"));
        assertThat(withDefault.policyOf(new ReclaimRequest(null, null, null, null, null, true)).off()).isTrue();
        assertThat(withoutDefault.policyOf(new ReclaimRequest(5, null, "notify", null, null, null)).idleFor()).isEqualTo(Duration.ofMinutes(30));

        Map<ReclaimRequest, String> refused = Map.of(
                new ReclaimRequest(0, null, null, null, null, null), "idleBelowPercent 0",
                new ReclaimRequest(101, null, null, null, null, null), "idleBelowPercent 101",
                new ReclaimRequest(null, "soon", null, null, null, null), "idleFor 'soon'",
                new ReclaimRequest(null, "0s", null, null, null, null), "idleFor '0s' must be positive",
                new ReclaimRequest(null, null, "delete", null, null, null), "action 'delete'",
                new ReclaimRequest(null, "5m", null, "5m", null, null), "grace 5m is not shorter than idleFor 5m");
        refused.forEach((req, why) -> assertThatThrownBy(() -> withDefault.policyOf(req)).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.RECLAIM_POLICY_INVALID)).hasMessageContaining(why));
        assertThatThrownBy(() -> withoutDefault.policyOf(new ReclaimRequest(null, null, "stop", null, null, null)))
                .hasMessageContaining("idleBelowPercent is required");
        assertThatThrownBy(() -> withoutDefault.policyOf(new ReclaimRequest(5, null, null, null, null, null))).hasMessageContaining("action is required");
    }

    @Test
    void anInstancesOwnPolicyOverridesTheOperatorsWhetherItActsSoonerOrNever() {
        Map<String, ReclaimPolicy> own = new HashMap<>();
        own.put("spared", new ReclaimPolicy(null, null, null, null, false, true, "instance"));
        own.put("eager", new ReclaimPolicy(50, Duration.ofMinutes(2), "cardless", Duration.ofMinutes(1), false, false, "instance"));
        IdleReclaimer r = new IdleReclaimer(() -> own, OPERATOR, engine, power, updates, clock, null);
        for (int minute = 0; minute <= 40; minute++) {
            // 30% is busy by the operator's 10%, idle by the eager instance's 50%
            r.afterPass(List.of(job("spared", 3), job("eager", 30), job("plain", 3)));
            clock.advance(Duration.ofMinutes(1));
            if (minute == 1) {
                assertThat(r.status("eager")).get().extracting(IdleReclaimer.IdleStatus::warned).isEqualTo(true);
                assertThat(r.status("spared")).isEmpty();
            }
        }
        verify(updates).patch(org.mockito.ArgumentMatchers.eq("eager"), any(), org.mockito.ArgumentMatchers.eq(Caller.ADMIN));
        verify(power, never()).stop(org.mockito.ArgumentMatchers.eq("spared"), any());
        verify(power).stop("plain", Caller.ADMIN);
        verify(power, never()).stop(org.mockito.ArgumentMatchers.eq("eager"), any());
    }

    @Test
    void withoutAnOperatorDefaultOnlyInstancesWithTheirOwnPolicyAreWatched() {
        IdleReclaimer r = new IdleReclaimer(() -> Map.of("own", new ReclaimPolicy(10, Duration.ofMinutes(2), "stop", Duration.ofMinutes(1), false, false,
                "instance")), null, engine, power, updates, clock, null);
        for (int minute = 0; minute <= 5; minute++) {
            r.afterPass(List.of(job("own", 1), job("other", 1)));
            clock.advance(Duration.ofMinutes(1));
        }
        verify(power).stop("own", Caller.ADMIN);
        verify(power, never()).stop(org.mockito.ArgumentMatchers.eq("other"), any());
        assertThat(r.status("other")).isEmpty();
        verify(power, never()).stop(anyString(), org.mockito.ArgumentMatchers.eq(Caller.tenant("x")));
    }

    private InstanceFigures job(String name, int util) {
        return new InstanceFigures(name, "alice", 1, clock.instant(), null, null,
                List.of(new InstanceFigures.GpuFigure("GPU-" + name, "A100", util, 0L, 81920L, 30, 50.0)), List.of());
    }
}
