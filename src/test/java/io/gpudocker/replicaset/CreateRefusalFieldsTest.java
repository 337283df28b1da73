package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.resource.port.PortRange;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Keys;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request field a create's refusal names (the envelope's {@code field}): the name for a name taken, the image
 * for an image not on the host; none where the image comes from a stored spec or the conflict may be about
 * GPUs or ports. Codes and messages as ever.
 */
class CreateRefusalFieldsTest {
    private static final Caller ALICE = Caller.tenant("alice");
    private static final ReplicaSetRequests.Create REQUEST = new ReplicaSetRequests.Create("img", "foo", 0, List.of(), List.of(),
            List.of("sleep", "1"), List.of(), null, null, null, true, null);

    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/t");
    private final Intents operations = ConfirmedIdentity.operations(store, keys);
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, keys, operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final GpuScheduler gpus = new GpuScheduler();
    private final CpuScheduler cpus = new CpuScheduler();
    private final VersionContainers containers = new VersionContainers(engine, (volume, tenant) -> true, (image, tenant) -> engine.imageExists(image), new HostPathPolicy(List.of(), null, () -> null),
            "/t", () -> "test-cluster");
    private final ReplicaSetCreation creation = new ReplicaSetCreation(repo, engine, containers, gpus,
            new HoldingsReservations(gpus, new PortScheduler(new PortRange(40000, 40009), port -> false),
                    new ComputeAllocator(cpus, new MemoryPool(16L * 1024 * 1024 * 1024), gpus, ComputeDefaults.NONE)),
            new NameLocks(Duration.ofSeconds(5)), operations, true);

    @BeforeEach
    void anImageAndNoGpus() {
        gpus.load(List.of(), Map.of());
        cpus.load(CpuTopology.flat(List.of(0, 1)), Map.of());
        when(engine.imageExists("img")).thenReturn(true);
        // a create starts through the overload that times its checks apart: it runs the plain start stubbed here
        doCallRealMethod().when(engine).start(anyString(), any(Runnable.class));
    }

    @Test
    void aNameTakenIsRefusedOnReplicaSetName() {
        creation.create(REQUEST, ALICE);

        assertThatThrownBy(() -> creation.create(REQUEST, ALICE)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.REPLICASET_EXISTS);
            assertThat(e.getMessage()).isEqualTo("replicaset 'foo' already exists");
            assertThat(e.field()).isEqualTo("replicaSetName");
        });
    }

    @Test
    void anImageNotOnTheHostIsRefusedOnImageNameBeforeAnythingIsMade() {
        when(engine.imageExists("img")).thenReturn(false);

        assertThatThrownBy(() -> creation.create(REQUEST, ALICE)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("image 'img' is not present on this host; pull or build it first");
            assertThat(e.field()).isEqualTo("imageName");
        });
        verify(engine, never()).create(any());
        assertThat(operations.all()).isEmpty();
    }

    @Test
    void anImageFromAStoredSpecNamesNoField() {
        when(engine.imageExists("img")).thenReturn(false);
        ReplicaSetSpec stored = new ReplicaSetSpec("img", 0, List.of(), List.of(), List.of("sleep", "1"), List.of());

        assertThatThrownBy(() -> containers.requireRunnable(stored, "alice")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("image 'img' is not present on this host; pull or build it first");
            assertThat(e.field()).isNull();
        });
    }

    @Test
    void aRecordWriteLostToAnotherWriterNamesNoFieldSinceAGpuOrPortMayBeWhatClashed() {
        doAnswer(call -> {
            Instant now = Instant.now();
            ReplicaSetVersion theirs = new ReplicaSetVersion("foo", 1, "foo-1", now, "create", new ReplicaSetSpec("img", 0, List.of(), List.of(), List.of(), List.of()),
                    List.of(), Map.of());
            // another node's: its foo-1 is in that node's Docker
            repo.create(new ReplicaSetRecord("foo", 1, ReplicaSetState.RUNNING, List.of(), Map.of(), now, now, "bob", List.of(), 0L, "gpu2"), theirs, null);
            return null;
        }).when(engine).start("foo-1");

        assertThatThrownBy(() -> creation.create(REQUEST, ALICE)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.REPLICASET_EXISTS);
            assertThat(e.getMessage()).isEqualTo("replicaset 'foo' already exists (or one of its GPUs/ports was taken by another writer)");
            assertThat(e.field()).isNull();
        });
        verify(engine).remove("foo-1");
    }
}
