package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.replicaset.HoldingsReservations.Reservation;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.resource.port.PortRange;
import io.gpudocker.resource.port.PortScheduler;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reserving what a version holds in every scheduler at once, and taking it back. */
class HoldingsReservationsTest {
    private static final long GB = 1024L * 1024 * 1024;
    private final GpuScheduler gpus = new GpuScheduler();
    private final PortScheduler ports = new PortScheduler(new PortRange(40000, 40009), port -> false);
    private final CpuScheduler cpus = new CpuScheduler();
    private final MemoryPool memory = new MemoryPool(16 * GB);
    private final HoldingsReservations reservations = new HoldingsReservations(gpus, ports,
            new ComputeAllocator(cpus, memory, gpus, ComputeDefaults.NONE));

    @BeforeEach
    void fourGpusFourCores() {
        gpus.load(List.of(new Gpu(0, "GPU-0", "A100", 1L), new Gpu(1, "GPU-1", "A100", 1L), new Gpu(2, "GPU-2", "A100", 1L),
                new Gpu(3, "GPU-3", "A100", 1L)), Map.of());
        cpus.load(CpuTopology.flat(List.of(0, 1, 2, 3)), Map.of());
        ports.load(Map.of());
        memory.load(Map.of());
    }

    @Test
    void aNewReplicaSetGetsEverythingInOneCallAndAnUndoGivesItAllBack() {
        Reservation r = reservations.reserve("foo", spec(2, List.of("22", "8888"), 2, 4 * GB));

        assertThat(r.held()).isEqualTo(Holdings.NONE);
        assertThat(r.holdings().gpus()).hasSize(2);
        assertThat(r.holdings().ports().keySet()).containsExactly("22", "8888");
        assertThat(r.holdings().cores()).hasSize(2);
        assertThat(r.holdings().memory()).isEqualTo(4 * GB);
        assertThat(gpus.allocations()).hasSize(2).containsValue("foo");
        assertThat(ports.allocations()).hasSize(2);
        assertThat(cpus.allocations()).hasSize(2);
        assertThat(memory.allocations()).containsEntry("foo", 4 * GB);

        r.undo();

        assertNothingHeld();
    }

    @Test
    void aRefusalOfTheLastSchedulerGivesBackWhatTheOthersGave() {
        assertThatThrownBy(() -> reservations.reserve("foo", spec(2, List.of("22"), 2, 64 * GB))).isInstanceOf(ApiException.class);

        assertNothingHeld();
    }

    @Test
    void aRefusalOfTheFirstSchedulerTakesNothing() {
        assertThatThrownBy(() -> reservations.reserve("foo", spec(5, List.of("22"), 0, 0L))).isInstanceOf(ApiException.class);

        assertNothingHeld();
    }

    @Test
    void anUpdateKeepsWhatIsHeldAndItsUndoGivesBackOnlyWhatItAdded() {
        ReplicaSetRecord record = holding(reservations.reserve("foo", spec(1, List.of("22"), 1, 2 * GB)));
        ReplicaSetVersion current = version(record);

        Reservation r = reservations.reserve("foo", spec(2, List.of("22"), 2, 4 * GB), record, current);

        assertThat(r.held()).isEqualTo(record.holdings());
        assertThat(r.holdings().gpus()).containsAll(record.gpus()).hasSize(2);
        assertThat(r.holdings().ports()).isEqualTo(record.ports());
        assertThat(r.holdings().cores()).containsAll(record.cpus()).hasSize(2);

        r.undo();

        assertThat(gpus.allocations()).containsOnlyKeys(record.gpus());
        assertThat(ports.allocations()).containsOnlyKeys(record.ports().values());
        assertThat(cpus.allocations()).containsOnlyKeys(record.cpus());
        assertThat(memory.allocations()).containsEntry("foo", 2 * GB);
    }

    @Test
    void aSettledUpdateGivesBackWhatWasHeldAndIsNotKept() {
        ReplicaSetRecord record = holding(reservations.reserve("foo", spec(2, List.of(), 2, 0L)));

        Reservation r = reservations.reserve("foo", spec(1, List.of(), 1, 0L), record, version(record));
        r.settle();

        assertThat(gpus.allocations()).containsOnlyKeys(r.holdings().gpus()).hasSize(1);
        assertThat(cpus.allocations()).containsOnlyKeys(r.holdings().cores()).hasSize(1);
    }

    @Test
    void aStoppedReplicaSetAsksForItsEarlierPortsAgain() {
        ReplicaSetRecord stopped = new ReplicaSetRecord("foo", 1, ReplicaSetState.STOPPED, List.of(), Map.of(), Instant.now(), Instant.now(), "alice");
        ReplicaSetVersion current = new ReplicaSetVersion("foo", 1, "foo-1", Instant.now(), "create", spec(0, List.of("22"), 0, 0L),
                List.of(), Map.of("22", 40007));

        Reservation r = reservations.reserve("foo", spec(0, List.of("22"), 0, 0L), stopped, current);

        assertThat(r.holdings().ports()).containsExactly(Map.entry("22", 40007));
    }

    private void assertNothingHeld() {
        assertThat(gpus.allocations()).isEmpty();
        assertThat(ports.allocations()).isEmpty();
        assertThat(cpus.allocations()).isEmpty();
        assertThat(memory.allocations()).isEmpty();
    }

    private static ReplicaSetRecord holding(Reservation r) {
        Holdings h = r.holdings();
        return new ReplicaSetRecord("foo", 1, ReplicaSetState.RUNNING, h.gpus(), h.ports(), Instant.now(), Instant.now(), "alice", h.cores(), h.memory(), "local");
    }

    private static ReplicaSetVersion version(ReplicaSetRecord r) {
        return new ReplicaSetVersion("foo", 1, "foo-1", Instant.now(), "create", spec(r.gpus().size(), List.copyOf(r.ports().keySet()), r.cpus().size(), r.memory()),
                r.gpus(), r.ports(), r.cpus(), r.memory(), 0L);
    }

    private static ReplicaSetSpec spec(int gpuCount, List<String> containerPorts, int cpuCount, long memory) {
        return new ReplicaSetSpec("img", gpuCount, List.of(), List.of(), List.of(), containerPorts, cpuCount, memory, null, true);
    }
}
