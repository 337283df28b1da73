package io.gpudocker.replicaset;


import io.gpudocker.api.Caller;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.OutcomeUnknown;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.resource.port.PortRange;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore.Fault;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.StoreUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * An update whose record write gets no answer: if the write landed, the update succeeded and its container
 * stays; if it did not, the update is undone; if that cannot be told, nothing is undone. Docker is stood in
 * for; the records live in a store stand-in whose commit can apply and then time out.
 */
class UpdateAnswerLostTest {
    private static final Caller ALICE = Caller.tenant("alice");
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("img", 1, List.of(), List.of(), List.of("sleep", "1"), List.of(), null, null, null, true);

    @TempDir
    Path dir;
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Intents operations = ConfirmedIdentity.operations(store, new Keys("/t"));
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, new Keys("/t"), operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final GpuScheduler gpus = new GpuScheduler();
    private UpdatePlans plans;

    @BeforeEach
    void versionOneRunning() throws Exception {
        gpus.load(List.of(new Gpu(0, "GPU-0", "A100", 80_000L)), Map.of("GPU-0", "foo"));
        repo.create(new ReplicaSetRecord("foo", 1, ReplicaSetState.RUNNING, List.of("GPU-0"), Map.of(), Instant.now(), Instant.now(), "alice"),
                new ReplicaSetVersion("foo", 1, "foo-1", Instant.now(), "create", SPEC, List.of("GPU-0"), Map.of()),
                operations.begin(Intent.start(Intent.REPLICASET, "create", "foo", 1)));
        when(engine.imageExists("img")).thenReturn(true);
        when(engine.inspect("foo-1")).thenReturn(Optional.of(container("foo-1", true)));
        when(engine.inspect("foo-2")).thenReturn(Optional.of(container("foo-2", false)));
        VersionContainers containers = new VersionContainers(engine, (volume, tenant) -> true, (image, tenant) -> engine.imageExists(image), new HostPathPolicy(List.of(), null, () -> null), "/t", () -> "test-cluster");
        HoldingsReservations reservations = new HoldingsReservations(gpus, new PortScheduler(new PortRange(40000, 40010), port -> false),
                new ComputeAllocator(new CpuScheduler(), new MemoryPool(0), gpus, ComputeDefaults.NONE));
        VersionedUpdate update = new VersionedUpdate(repo, engine, containers, reservations,
                new NameLocks(Duration.ofSeconds(5)), new SystemDiskCopier("cp"), mock(VersionPruner.class), operations,
                new SimpleMeterRegistry(), new ProgressBoard(Clock.systemUTC()));
        plans = new UpdatePlans(update, repo, gpus);
    }

    @Test
    void aWriteThatLandedIsASuccessAndItsContainerStays() {
        failRecordWrite(Fault.APPLY_THEN_TIME_OUT, false);

        assertThat(plans.patch("foo", null, ALICE).containerName()).isEqualTo("foo-2");
        assertThat(repo.require("foo", ALICE).record().version()).isEqualTo(2);
        verify(engine, never()).remove(anyString());
        verify(engine, never()).start("foo-1");
    }

    @Test
    void aWriteThatDidNotLandIsUndone() {
        failRecordWrite(Fault.TIME_OUT_WITHOUT_APPLYING, false);

        assertThatThrownBy(() -> plans.patch("foo", null, ALICE)).isInstanceOf(StoreUnavailableException.class).isNotInstanceOf(OutcomeUnknown.class);
        assertThat(repo.require("foo", ALICE).record().version()).isEqualTo(1);
        verify(engine).remove("foo-2");
        verify(engine).start("foo-1");
    }

    @Test
    void whenItCannotBeToldNothingIsUndone() {
        failRecordWrite(Fault.APPLY_THEN_TIME_OUT, true); // etcd goes away between the reads of the update and its write

        assertThatThrownBy(() -> plans.patch("foo", null, ALICE)).isInstanceOf(OutcomeUnknown.class);
        verify(engine, never()).remove(anyString());
        verify(engine, never()).start("foo-1");
        assertThat(gpus.allocations()).containsExactly(Map.entry("GPU-0", "foo"));
    }

    /** Arms the fault once the container exists: the intent was written, the record write is the next commit. */
    private void failRecordWrite(Fault fault, boolean readsFailToo) {
        when(engine.create(org.mockito.ArgumentMatchers.any())).thenAnswer(call -> {
            store.failNextCommit(fault);
            store.failReads(readsFailToo);
            return "id-foo-2";
        });
    }

    private ContainerDetail container(String name, boolean running) throws Exception {
        Path upper = Files.createDirectories(dir.resolve(name).resolve("diff"));
        return ContainerDetail.of(new ContainerSummary("id-" + name, name, running ? "running" : "exited", running, false, Map.of()))
                .withStorage("overlay2", upper.toString());
    }
}
