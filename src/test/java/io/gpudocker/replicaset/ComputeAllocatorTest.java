package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.store.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ComputeAllocatorTest {
    private static final long GB = 1024L * 1024 * 1024;
    /** Two cores per GPU, 8GB per GPU; a cardless instance gets one core and 2GB. */
    private static final ComputeDefaults SHARES = new ComputeDefaults(2, 1, 8 * GB, 2 * GB, 0);

    private final CpuScheduler cpus = new CpuScheduler();
    private final MemoryPool memory = new MemoryPool(32 * GB);
    private final GpuScheduler gpus = new GpuScheduler();
    private final ComputeAllocator compute = new ComputeAllocator(cpus, memory, gpus, SHARES);

    @BeforeEach
    void twoNodesEachWithTwoGpus() {
        gpus.load(List.of(new Gpu(0, "GPU-0", "A100", 1L, "00000000:01:00.0"), new Gpu(1, "GPU-1", "A100", 1L, "00000000:02:00.0"),
                new Gpu(2, "GPU-2", "A100", 1L, "00000000:81:00.0"), new Gpu(3, "GPU-3", "A100", 1L, "00000000:82:00.0")), Map.of());
        cpus.load(new CpuTopology(Map.of(0, List.of(0, 1, 2, 3), 1, List.of(4, 5, 6, 7)),
                Map.of("0000:01:00.0", 0, "0000:02:00.0", 0, "0000:81:00.0", 1, "0000:82:00.0", 1)), Map.of());
    }

    private static ReplicaSetSpec spec(int gpuCount, Integer cpuCount, Long mem, Long shm) {
        return new ReplicaSetSpec("img", gpuCount, List.of(), List.of(), List.of(), List.of(), cpuCount, mem, shm, false);
    }

    @Test
    void theDefaultShareFollowsTheGpuCountAndSitsOnTheGpusNode() {
        ComputeAllocator.Grant g = compute.reserve("a", spec(1, null, null, null), List.of("GPU-2"), List.of());
        assertThat(g.cpus()).containsExactly(4, 5);
        assertThat(g.memory()).isEqualTo(8 * GB);
        assertThat(g.shmSize()).isZero();
        assertThat(memory.allocations()).isEqualTo(Map.of("a", 8 * GB));
    }

    @Test
    void aCardlessInstanceGetsItsOwnDefault() {
        ComputeAllocator.Grant g = compute.reserve("a", spec(0, null, null, null), List.of(), List.of());
        assertThat(g.cpus()).hasSize(1);
        assertThat(g.memory()).isEqualTo(2 * GB);
    }

    @Test
    void anExplicitAskWinsZeroIncluded() {
        ComputeAllocator.Grant g = compute.reserve("a", spec(2, 0, 0L, 4 * GB), List.of("GPU-0", "GPU-1"), List.of());
        assertThat(g.cpus()).isEmpty();
        assertThat(g.memory()).isZero();
        assertThat(g.shmSize()).isEqualTo(4 * GB);
        assertThat(memory.allocations()).isEmpty();
    }

    @Test
    void withNoSharesConfiguredNothingIsPinnedOrLimited() {
        ComputeAllocator none = new ComputeAllocator(cpus, memory, gpus, ComputeDefaults.NONE);
        ComputeAllocator.Grant g = none.reserve("a", spec(4, null, null, null), List.of("GPU-0"), List.of());
        assertThat(g.cpus()).isEmpty();
        assertThat(g.memory()).isZero();
    }

    @Test
    void gpusSplitAcrossNodesPreferTheNodeWithMostOfThem() {
        assertThat(compute.preferredNodes(List.of("GPU-0", "GPU-2", "GPU-3"))).containsExactly(1, 0);
        assertThat(compute.preferredNodes(List.of("GPU-unknown"))).isEmpty();
    }

    @Test
    void sharedMemoryAboveTheLimitIsRefusedBeforeAnythingIsTaken() {
        assertThatThrownBy(() -> compute.reserve("a", spec(0, 2, GB, 2 * GB), List.of(), List.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MEMORY_INVALID));
        assertThat(cpus.allocations()).isEmpty();
    }

    @Test
    void aDefaultShareThatDoesNotFitSaysWhereTheCountCameFrom() {
        compute.reserve("x", spec(0, 1, GB, null), List.of(), List.of());
        assertThatThrownBy(() -> compute.reserve("a", spec(4, null, 0L, null), List.of("GPU-0", "GPU-1", "GPU-2", "GPU-3"), List.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CPU_NOT_ENOUGH))
                .hasMessageContaining("gda.resources.cpus-per-gpu x 4 GPU(s)");
        assertThatThrownBy(() -> compute.reserve("a", spec(4, 0, null, null), List.of("GPU-0", "GPU-1", "GPU-2", "GPU-3"), List.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MEMORY_NOT_ENOUGH))
                .hasMessageContaining("gda.resources.memory-per-gpu x 4 GPU(s)");
        assertThat(cpus.allocations()).hasSize(1).containsValue("x");
    }

    @Test
    void aLimitBelowDockersLeastIsRefused() {
        assertThatThrownBy(() -> compute.reserve("a", spec(0, 1, 5L * 1024 * 1024, null), List.of(), List.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MEMORY_INVALID))
                .hasMessageContaining("below 6MB");
        assertThat(cpus.allocations()).isEmpty();
    }

    @Test
    void notEnoughMemoryGivesTheCoresBack() {
        assertThatThrownBy(() -> compute.reserve("a", spec(0, 3, 64 * GB, null), List.of(), List.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MEMORY_NOT_ENOUGH));
        assertThat(cpus.allocations()).isEmpty();
        assertThat(memory.allocations()).isEmpty();
    }

    @Test
    void undoPutsBackExactlyWhatTheGrantTook() {
        ComputeAllocator.Grant first = compute.reserve("a", spec(1, null, null, null), List.of("GPU-0"), List.of());
        ComputeAllocator.Grant bigger = compute.reserve("a", spec(1, 3, 16 * GB, null), List.of("GPU-0"), first.cpus());
        assertThat(bigger.cpus()).containsExactly(0, 1, 2);
        assertThat(bigger.addedCpus()).containsExactly(2);
        compute.undo("a", bigger);
        assertThat(cpus.allocations()).isEqualTo(Map.of(0, "a", 1, "a"));
        assertThat(memory.allocations()).isEqualTo(Map.of("a", 8 * GB));
    }

    @Test
    void settlingAnUpdateReleasesTheCoresItDropped() {
        ComputeAllocator.Grant first = compute.reserve("a", spec(2, null, null, null), List.of("GPU-0", "GPU-1"), List.of());
        ComputeAllocator.Grant smaller = compute.reserve("a", spec(1, null, null, null), List.of("GPU-0"), first.cpus());
        compute.settle("a", first.cpus(), smaller);
        assertThat(cpus.allocations()).isEqualTo(Map.of(0, "a", 1, "a"));
        assertThat(memory.allocations()).isEqualTo(Map.of("a", 8 * GB));
    }

    @Test
    void recordsWrittenBeforeCoresAndMemoryReadAsHoldingNone() {
        String old = "{\"name\":\"a\",\"version\":1,\"state\":\"RUNNING\",\"gpus\":[],\"ports\":{},\"createTime\":\"2025-01-01T00:00:00Z\","
                + "\"updateTime\":\"2025-01-01T00:00:00Z\",\"tenant\":null}";
        ReplicaSetRecord r = Json.read(old, ReplicaSetRecord.class);
        assertThat(r.cpus()).isEmpty();
        assertThat(r.memory()).isZero();
        String oldVersion = "{\"replicaSet\":\"a\",\"version\":1,\"containerName\":\"a-1\",\"createTime\":\"2025-01-01T00:00:00Z\",\"cause\":\"create\","
                + "\"spec\":{\"image\":\"img\",\"gpuCount\":0},\"gpus\":[],\"ports\":{}}";
        ReplicaSetVersion v = Json.read(oldVersion, ReplicaSetVersion.class);
        assertThat(v.cpus()).isEmpty();
        assertThat(v.spec().cpuCount()).isNull();
        ReplicaSetVersion now = new ReplicaSetVersion("a", 2, "a-2", Instant.now(), "patch", spec(1, 4, 8 * GB, GB), List.of(), Map.of(), List.of(4, 5), 8 * GB, GB);
        assertThat(Json.read(Json.write(now), ReplicaSetVersion.class)).isEqualTo(now);
    }
}
