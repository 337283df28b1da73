package io.gpudocker.replicaset.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.api.Caller;
import io.gpudocker.common.FrozenContainers;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.EngineException;
import io.gpudocker.replicaset.ComputeAllocator;
import io.gpudocker.replicaset.ComputeDefaults;
import io.gpudocker.replicaset.HoldingsReservations;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.replicaset.ReplicaSetLifecycle;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetSpec;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.ReplicaSetVersion;
import io.gpudocker.replicaset.VersionContainers;
import io.gpudocker.replicaset.VersionPruner;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.resource.port.PortRange;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The power-state repairs: what Docker going away stopped is started again, what exited by itself is recorded
 * exited and keeps its GPUs, a user's stop is kept, a container left frozen is thawed (one frozen by a copy
 * in flight is not), and Docker refusing one repair neither stops the others nor frees what is still held.
 */
class ReconcilerTest {
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("img", 1, List.of(), List.of(), List.of("sleep", "1"), List.of("22"));
    private static final Instant DOCKER_STARTED = Instant.parse("2026-01-01T10:00:00Z");
    private static final String GPU_A = "GPU-a";
    private static final String GPU_B = "GPU-b";

    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/t");
    private final Intents operations = ConfirmedIdentity.operations(store, keys);
    private final ClusterIdentity identity = identity();
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, keys, operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final VersionContainers containers = new VersionContainers(engine, (volume, tenant) -> true, (image, tenant) -> engine.imageExists(image), new HostPathPolicy(List.of(), null, () -> null), "/t", () -> "test-cluster");
    private final GpuScheduler gpus = new GpuScheduler();
    private final PortScheduler ports = new PortScheduler(new PortRange(40000, 40010), p -> false);
    private final FrozenContainers frozen = new FrozenContainers();
    private final ComputeAllocator compute = new ComputeAllocator(new CpuScheduler(), new MemoryPool(0), gpus, ComputeDefaults.NONE);
    private final NameLocks locks = new NameLocks(Duration.ofSeconds(5));
    private final Reconciler reconciler = reconciler();

    @BeforeEach
    void dockerStartedAt() {
        when(engine.startedAt()).thenReturn(Optional.of(DOCKER_STARTED));
    }

    @Test
    void aContainerDockerStoppedWhenItWentAwayIsStartedAgainWithItsGpusAndPorts() {
        record("a", GPU_A, 40000);
        ContainerDetail stopped = exited("a", 137, DOCKER_STARTED.minusSeconds(5));
        containersAre(stopped);

        reconciler.reconcile(inventory(), CpuTopology.flat(List.of()));

        verify(engine).start("id-a");
        assertThat(state("a")).isEqualTo(ReplicaSetState.RUNNING);
        assertThat(gpus.allocations()).containsEntry(GPU_A, "a");
        assertThat(ports.allocations()).containsEntry(40000, "a");
    }

    @Test
    void aProcessThatExitedByItselfIsRecordedExitedAndKeepsItsGpusAndPorts() {
        record("a", GPU_A, 40000);
        containersAre(exited("a", 7, DOCKER_STARTED.plusSeconds(60)));

        reconciler.reconcile(inventory(), CpuTopology.flat(List.of()));
        assertThat(state("a")).as("one look: Docker may be shutting down").isEqualTo(ReplicaSetState.RUNNING);
        reconciler.recheck();

        verify(engine, never()).start(anyString());
        assertThat(state("a")).isEqualTo(ReplicaSetState.EXITED);
        assertThat(repo.require("a").record().gpus()).containsExactly(GPU_A);
        assertThat(gpus.allocations()).containsEntry(GPU_A, "a");
        assertThat(ports.allocations()).containsEntry(40000, "a");

        // Docker restarting later does not start it behind the user's back
        when(engine.startedAt()).thenReturn(Optional.of(DOCKER_STARTED.plusSeconds(3600)));
        reconciler.recheck();
        verify(engine, never()).start(anyString());
        assertThat(state("a")).isEqualTo(ReplicaSetState.EXITED);
    }

    @Test
    void whenDockerCannotTellWhenItStartedAnExitedContainerIsLeftExitedNotStarted() {
        when(engine.startedAt()).thenReturn(Optional.empty());
        record("a", GPU_A, 40000);
        containersAre(exited("a", 137, DOCKER_STARTED.minusSeconds(5)));

        reconciler.reconcile(inventory(), CpuTopology.flat(List.of()));
        reconciler.recheck();

        verify(engine, never()).start(anyString());
        assertThat(state("a")).isEqualTo(ReplicaSetState.EXITED);
        assertThat(gpus.allocations()).containsEntry(GPU_A, "a");
    }

    @Test
    void anExitSeenWhileDockerIsShuttingDownIsStartedOnceDockerIsBack() {
        record("a", GPU_A, 40000);
        Instant stoppedByShutdown = DOCKER_STARTED.plusSeconds(60);
        containersAre(exited("a", 137, stoppedByShutdown));
        reconciler.reconcile(inventory(), CpuTopology.flat(List.of()));
        assertThat(state("a")).isEqualTo(ReplicaSetState.RUNNING);

        when(engine.startedAt()).thenReturn(Optional.of(stoppedByShutdown.plusSeconds(3)));
        reconciler.recheck();

        verify(engine).start("id-a");
        assertThat(state("a")).isEqualTo(ReplicaSetState.RUNNING);
        assertThat(gpus.allocations()).containsEntry(GPU_A, "a");
    }

    @Test
    void aContainerFrozenByACopyInFlightIsNeitherThawedNorStarted() {
        record("a", GPU_A, 40000);
        frozen.add("a-1");
        containersAre(paused("a"));

        reconciler.reconcile(inventory(), CpuTopology.flat(List.of()));
        reconciler.recheck();

        verify(engine, never()).unpause(anyString());
        verify(engine, never()).start(anyString());
        assertThat(state("a")).isEqualTo(ReplicaSetState.RUNNING);
    }

    @Test
    void aUsersStopStaysStoppedWhateverDockerDid() {
        record("a", GPU_A, 40000);
        stop("a");
        containersAre(exited("a", 137, DOCKER_STARTED.minusSeconds(5)));

        reconciler.reconcile(inventory(), CpuTopology.flat(List.of()));

        verify(engine, never()).start(anyString());
        assertThat(state("a")).isEqualTo(ReplicaSetState.STOPPED);
        assertThat(gpus.allocations()).isEmpty();
    }

    @Test
    void aContainerLeftFrozenByAnInterruptedCopyIsThawedAndOneFrozenByACopyInFlightIsNot() {
        record("a", GPU_A, 40000);
        record("b", GPU_B, 40001);
        frozen.add("b-1");
        containersAre(paused("a"), paused("b"));

        reconciler.reconcile(inventory(), CpuTopology.flat(List.of()));

        verify(engine).unpause("id-a");
        verify(engine, never()).unpause("id-b");
        assertThat(state("a")).isEqualTo(ReplicaSetState.RUNNING);
        assertThat(state("b")).as("frozen is not stopped: it keeps running when thawed").isEqualTo(ReplicaSetState.RUNNING);
    }

    @Test
    void dockerRefusingOneRepairIsRetriedThenLeftWhileTheOthersAreRepaired() {
        record("a", GPU_A, 40000);
        record("b", GPU_B, 40001);
        containersAre(exited("a", 137, DOCKER_STARTED.minusSeconds(5)), exited("b", 137, DOCKER_STARTED.minusSeconds(5)));
        doThrow(new EngineException(500, "cannot start a", null)).when(engine).start("id-a");

        reconciler.reconcile(inventory(), CpuTopology.flat(List.of()));

        verify(engine, times(3)).start("id-a");
        verify(engine).start("id-b");
        assertThat(state("a")).as("left as recorded for the next pass").isEqualTo(ReplicaSetState.RUNNING);
        assertThat(gpus.allocations()).containsEntry(GPU_A, "a").containsEntry(GPU_B, "b");
    }

    @Test
    void aDeletedReplicaSetsLeftoverContainerIsRemovedByThePeriodicPassAndOnlyThenItsGpusFreed() {
        record("a", GPU_A, 40000);
        ContainerDetail running = running("a");
        containersAre(running);
        reconciler.reconcile(inventory(), CpuTopology.flat(List.of()));
        ReplicaSetLifecycle power = new ReplicaSetLifecycle(repo, engine, containers, new HoldingsReservations(gpus, ports, compute), locks, operations);
        doThrow(new EngineException(409, "removal already in progress", null)).when(engine).remove("id-a");

        power.delete("a", Caller.ADMIN);

        assertThat(repo.find("a")).isEmpty();
        assertThat(gpus.allocations()).as("its container is still there: its GPUs are not handed out").containsEntry(GPU_A, "a");
        assertThat(ports.allocations()).containsEntry(40000, "a");

        org.mockito.Mockito.doNothing().when(engine).remove("id-a");
        reconciler.recheck();

        verify(engine, times(2)).remove("id-a");
        assertThat(gpus.allocations()).isEmpty();
        assertThat(ports.allocations()).isEmpty();
        assertThat(operations.all()).isEmpty();
    }

    @Test
    void aContainerWithNoRecordAndNoIntentIsKeptAndHoldsNothing() {
        containersAre(running("x"));

        reconciler.reconcile(inventory(), CpuTopology.flat(List.of()));

        verify(engine, never()).remove(anyString());
    }

    // ---- fixtures -------------------------------------------------------------------------------

    /** Wired as {@link ReconcileConfig} wires it, with short retry pauses and no exit grace. */
    private Reconciler reconciler() {
        ContainerProofs proofs = new ContainerProofs(operations);
        Sources sources = new Sources(repo, locks, identity, proofs, new DockerLooks(containers, engine));
        ExitSightings exits = new ExitSightings(Duration.ZERO);
        ActionRunner runner = new ActionRunner(engine, new RepairAttempts(3, Duration.ofMillis(1)), proofs, exits);
        AllocationAudit audit = new AllocationAudit(repo, gpus, ports, compute);
        return new Reconciler(sources, new ReplicaSetRepair(sources, frozen, runner, exits), new LeftoverSweep(sources, runner, audit), audit,
                new VersionPruner(repo, engine, containers, locks, task -> { }, 3, 100));
    }

    private ClusterIdentity identity() {
        ClusterIdentity id = new ClusterIdentity(store, keys, "test store");
        id.confirm();
        return id;
    }

    private void record(String name, String gpu, int port) {
        ReplicaSetVersion v = new ReplicaSetVersion(name, 1, name + "-1", Instant.now(), "create", SPEC, List.of(gpu), Map.of("22/tcp", port));
        ReplicaSetRecord r = new ReplicaSetRecord(name, 1, ReplicaSetState.RUNNING, List.of(gpu), Map.of("22/tcp", port), Instant.now(), Instant.now(), null);
        Intent op = operations.begin(Intent.start(Intent.REPLICASET, "create", name, 1));
        repo.create(r, v, op);
    }

    private void stop(String name) {
        var stored = repo.require(name);
        repo.update(stored, stored.record().stopped(), null);
    }

    private ReplicaSetState state(String name) {
        return repo.require(name).record().state();
    }

    private static List<Gpu> inventory() {
        return List.of(new Gpu(0, GPU_A, "stand-in", 1L), new Gpu(1, GPU_B, "stand-in", 1L));
    }

    private void containersAre(ContainerDetail... views) {
        when(engine.listByLabels(any())).thenAnswer(inv -> {
            Map<String, String> wanted = inv.getArgument(0);
            return java.util.Arrays.stream(views).map(ContainerDetail::summary).filter(v -> v.labels().entrySet().containsAll(wanted.entrySet())).toList();
        });
        for (ContainerDetail v : views) {
            when(engine.inspect(v.id())).thenReturn(Optional.of(v));
        }
    }

    private static Map<String, String> labels(String name) {
        return ManagedLabels.replicaSetVersion("/t", name, 1);
    }

    private static ContainerDetail running(String name) {
        return ContainerDetail.of(new ContainerSummary("id-" + name, name + "-1", "running", true, false, labels(name)));
    }

    private static ContainerDetail exited(String name, int code, Instant finished) {
        return ContainerDetail.of(new ContainerSummary("id-" + name, name + "-1", "exited", false, false, labels(name))).withExit(code, finished);
    }

    private static ContainerDetail paused(String name) {
        return ContainerDetail.of(new ContainerSummary("id-" + name, name + "-1", "paused", false, true, labels(name)));
    }
}
