package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.config.ComputeLimits;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** A tenant cannot opt out of the operator's shares: not by asking for none, not by asking for more. */
class TenantCeilingsTest {
    private static final long GB = 1L << 30;
    private static final Caller ALICE = Caller.tenant("alice");
    private static final ComputeDefaults SHARES = new ComputeDefaults(4, 2, 16 * GB, 4 * GB, 0);
    private final TenantCeilings ceilings = new TenantCeilings(SHARES, ComputeLimits.DERIVED);

    private static ReplicaSetSpec spec(int gpus, Integer cpus, Long memory, Long shm) {
        return new ReplicaSetSpec("img", gpus, List.of(), List.of(), List.of(), List.of(), cpus, memory, shm, true);
    }

    private ApiException refusal(TenantCeilings c, ReplicaSetSpec spec) {
        return catchThrowableOfType(ApiException.class, () -> c.check(spec, ALICE, TenantCeilings.Fields.CREATE));
    }

    @Test
    void askingForNoneWhereASharIsConfiguredIsRefusedNamingTheField() {
        ApiException cpus = refusal(ceilings, spec(1, 0, null, null));
        assertThat(cpus.code()).isEqualTo(ErrorCode.ABOVE_TENANT_CEILING);
        assertThat(cpus.field()).isEqualTo("cpuCount");
        assertThat(refusal(ceilings, spec(1, null, 0L, null)).field()).isEqualTo("memory");
    }

    @Test
    void askingForMoreThanTheShareOfItsGpusIsRefused() {
        assertThat(refusal(ceilings, spec(2, 9, null, null)).getMessage()).contains("cpuCount 9", "8 core(s)");
        assertThat(refusal(ceilings, spec(1, null, 17 * GB, null)).field()).isEqualTo("memory");
        assertThat(refusal(ceilings, spec(1, null, null, 17 * GB)).field()).isEqualTo("shmSize");
        assertThat(refusal(ceilings, spec(0, 5, null, null)).field()).as("a cardless instance: its own share").isEqualTo("cpuCount");
    }

    @Test
    void theDefaultShareAndSmallerAsksPass() {
        assertThatCode(() -> ceilings.check(spec(2, null, null, null), ALICE, TenantCeilings.Fields.CREATE)).doesNotThrowAnyException();
        assertThatCode(() -> ceilings.check(spec(2, 3, 8 * GB, 2 * GB), ALICE, TenantCeilings.Fields.CREATE)).doesNotThrowAnyException();
    }

    @Test
    void theAdminIsNotBound() {
        assertThatCode(() -> ceilings.check(spec(1, 0, 0L, 900 * GB), Caller.ADMIN, TenantCeilings.Fields.CREATE)).doesNotThrowAnyException();
    }

    @Test
    void withoutSharesOrCeilingsNothingChanges() {
        assertThatCode(() -> TenantCeilings.NONE.check(spec(1, 0, 0L, 900 * GB), ALICE, TenantCeilings.Fields.CREATE)).doesNotThrowAnyException();
    }

    @Test
    void aCardlessInstanceWithNoShareOfItsOwnMayHaveOneGpusShareAtMostAndNotNone() {
        TenantCeilings perGpuOnly = new TenantCeilings(new ComputeDefaults(4, 0, 0, 0, 0), ComputeLimits.DERIVED);
        assertThatCode(() -> perGpuOnly.check(spec(0, 4, null, null), ALICE, TenantCeilings.Fields.CREATE)).doesNotThrowAnyException();
        assertThat(refusal(perGpuOnly, spec(0, 5, null, null)).field()).isEqualTo("cpuCount");
        assertThat(refusal(perGpuOnly, spec(0, null, null, null)).getMessage()).contains("unpinned cores");
        assertThat(refusal(perGpuOnly, spec(0, 0, null, null)).field()).isEqualTo("cpuCount");
        TenantCeilings memoryPerGpu = new TenantCeilings(new ComputeDefaults(0, 0, 8 * GB, 0, 0), ComputeLimits.DERIVED);
        assertThat(refusal(memoryPerGpu, spec(0, null, 0L, null)).field()).isEqualTo("memory");
        assertThatCode(() -> memoryPerGpu.check(spec(0, null, 8 * GB, null), ALICE, TenantCeilings.Fields.CREATE)).doesNotThrowAnyException();
    }

    @Test
    void theOperatorMaySetCeilingsAndAllowNone() {
        TenantCeilings set = new TenantCeilings(SHARES, new ComputeLimits(16, DataSize.ofGigabytes(64), DataSize.ofGigabytes(1), true));
        assertThatCode(() -> set.check(spec(1, 0, 0L, null), ALICE, TenantCeilings.Fields.CREATE)).doesNotThrowAnyException();
        assertThatCode(() -> set.check(spec(1, 16, 64 * GB, GB), ALICE, TenantCeilings.Fields.CREATE)).doesNotThrowAnyException();
        assertThat(refusal(set, spec(1, null, null, 2 * GB)).field()).isEqualTo("shmSize");
        assertThat(catchThrowableOfType(ApiException.class, () -> set.check(spec(1, 17, null, null), ALICE, TenantCeilings.Fields.PATCH))
                .field()).isEqualTo("cpuPatch.cpuCount");
    }
}
