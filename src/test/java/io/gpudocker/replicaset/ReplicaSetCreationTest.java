package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineException;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.resource.port.PortRange;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.CommitOutcomeUnknownException;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.InMemoryKeyValueStore.Fault;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A create that fails part way: what it reserved and made is taken back, unless whether its record was written
 * is unknown. Docker is stood in for; the records live in a store stand-in whose commit can time out.
 */
class ReplicaSetCreationTest {
    private static final Caller ALICE = Caller.tenant("alice");
    private static final ReplicaSetRequests.Create REQUEST = new ReplicaSetRequests.Create("img", "foo", 1, List.of(), List.of(),
            List.of("sleep", "1"), List.of("22"), 1, "1GB", null, true, null);

    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/t");
    private final Intents operations = ConfirmedIdentity.operations(store, keys);
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, keys, operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final GpuScheduler gpus = new GpuScheduler();
    private final PortScheduler ports = new PortScheduler(new PortRange(40000, 40009), port -> false);
    private final CpuScheduler cpus = new CpuScheduler();
    private final MemoryPool memory = new MemoryPool(16L * 1024 * 1024 * 1024);
    private final ReplicaSetCreation creation = new ReplicaSetCreation(repo, engine,
            new VersionContainers(engine, (volume, tenant) -> true, (image, tenant) -> engine.imageExists(image), new HostPathPolicy(List.of(), null, () -> null), "/t", () -> "test-cluster"),
            gpus, new HoldingsReservations(gpus, ports, new ComputeAllocator(cpus, memory, gpus, ComputeDefaults.NONE)),
            new NameLocks(Duration.ofSeconds(5)), operations, true);

    @BeforeEach
    void oneGpuFreeAndAnImage() {
        gpus.load(List.of(new Gpu(0, "GPU-0", "A100", 1L)), Map.of());
        cpus.load(CpuTopology.flat(List.of(0, 1)), Map.of());
        when(engine.imageExists("img")).thenReturn(true);
        // a create starts through the overload that times its checks apart: it runs the plain start stubbed here
        doCallRealMethod().when(engine).start(anyString(), any(Runnable.class));
    }

    @Test
    void aCreateHoldsWhatItReservedAndRecordsIt() {
        assertThat(creation.create(REQUEST, ALICE).name()).isEqualTo("foo-1");

        ReplicaSetRecord record = repo.require("foo").record();
        assertThat(record.holdings().gpus()).containsExactly("GPU-0");
        assertThat(gpus.allocations()).containsExactly(Map.entry("GPU-0", "foo"));
        assertThat(ports.allocations()).containsValue("foo");
        assertThat(cpus.allocations()).hasSize(1);
        assertThat(operations.all()).isEmpty();
    }

    @Test
    void aCreateTimesEachOfItsPhases() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry metrics = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        ReplicaSetCreation timed = new ReplicaSetCreation(repo, engine,
                new VersionContainers(engine, (volume, tenant) -> true, (image, tenant) -> engine.imageExists(image), new HostPathPolicy(List.of(), null, () -> null), "/t", () -> "test-cluster"),
                gpus, new HoldingsReservations(gpus, ports, new ComputeAllocator(cpus, memory, gpus, ComputeDefaults.NONE)),
                new NameLocks(Duration.ofSeconds(5)), operations, true, TenantCeilings.NONE, null, metrics);

        timed.create(REQUEST, ALICE);

        for (String phase : List.of("validate", "place", "intent", "create", "program check", "start", "record")) {
            assertThat(metrics.find(CreatePhases.METER).tag("phase", phase).timer()).as(phase).isNotNull()
                    .satisfies(t -> assertThat(t.count()).isEqualTo(1));
        }
    }

    @Test
    void aFailedCreateIsNotTimed() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry metrics = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        ReplicaSetCreation timed = new ReplicaSetCreation(repo, engine,
                new VersionContainers(engine, (volume, tenant) -> true, (image, tenant) -> engine.imageExists(image), new HostPathPolicy(List.of(), null, () -> null), "/t", () -> "test-cluster"),
                gpus, new HoldingsReservations(gpus, ports, new ComputeAllocator(cpus, memory, gpus, ComputeDefaults.NONE)),
                new NameLocks(Duration.ofSeconds(5)), operations, true, TenantCeilings.NONE, null, metrics);
        doThrow(new EngineException(400, "exec: \"nope\": executable file not found in $PATH", null)).when(engine).start("foo-1");

        assertThatThrownBy(() -> timed.create(REQUEST, ALICE)).isInstanceOf(ApiException.class);

        assertThat(metrics.find(CreatePhases.METER).timers()).isEmpty();
    }

    @Test
    void aCreateThatFailsAtTheStartReleasesEverythingAndRemovesTheContainer() {
        doThrow(new EngineException(500, "OCI runtime create failed", null)).when(engine).start("foo-1");

        assertThatThrownBy(() -> creation.create(REQUEST, ALICE)).isInstanceOf(ApiException.class).hasMessageContaining("OCI runtime create failed");

        verify(engine).remove("foo-1");
        assertThat(gpus.allocations()).isEmpty();
        assertThat(ports.allocations()).isEmpty();
        assertThat(cpus.allocations()).isEmpty();
        assertThat(memory.allocations()).isEmpty();
        assertThat(repo.find("foo")).isEmpty();
        assertThat(operations.all()).isEmpty();
    }

    @Test
    void aCreateWhoseRecordMayHaveBeenWrittenKeepsEverything() {
        doAnswer(call -> {
            store.failNextCommit(Fault.TIME_OUT_WITHOUT_APPLYING);
            store.failReads(true);
            return null;
        }).when(engine).start("foo-1");

        assertThatThrownBy(() -> creation.create(REQUEST, ALICE)).isInstanceOf(CommitOutcomeUnknownException.class);
        store.failReads(false);

        verify(engine, never()).remove(anyString());
        assertThat(gpus.allocations()).containsExactly(Map.entry("GPU-0", "foo"));
        assertThat(ports.allocations()).containsValue("foo");
        assertThat(cpus.allocations()).hasSize(1);
        assertThat(memory.allocations()).containsKey("foo");
        // the record was not written: the intent still proves the container uncommitted to the reconcile
        assertThat(operations.all()).singleElement().satisfies(op -> assertThat(op.name()).isEqualTo("foo"));
    }

    @Test
    void aCreateRefusedForWantOfGpusReservesNothing() {
        gpus.load(List.of(new Gpu(0, "GPU-0", "A100", 1L)), Map.of("GPU-0", "bar"));

        assertThatThrownBy(() -> creation.create(REQUEST, ALICE)).isInstanceOf(ApiException.class);

        verify(engine, never()).create(any());
        assertThat(ports.allocations()).isEmpty();
        assertThat(cpus.allocations()).isEmpty();
        assertThat(operations.all()).isEmpty();
    }
}
