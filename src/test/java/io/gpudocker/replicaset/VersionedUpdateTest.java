package io.gpudocker.replicaset;


import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.common.StandInCommand;
import io.gpudocker.common.StandInConfinement;
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
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Stored;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * The update engine's failure path with a real copier: a copy that fails or hangs is reported with the code
 * of the operation the user called, the new container is removed, the old one runs again, and nothing is
 * recorded or kept reserved. Docker and etcd are stood in for; the integration tests drive the real ones.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VersionedUpdateTest {
    private static final Caller ALICE = Caller.tenant("alice");
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("img", 1, List.of(), List.of(), List.of("sleep", "1"), List.of(), null, null, null, true);

    @TempDir
    Path dir;
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final ReplicaSetRepository repo = mock(ReplicaSetRepository.class);
    private final GpuScheduler gpus = new GpuScheduler();
    private final Intents operations = mock(Intents.class);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final ProgressBoard progress = new ProgressBoard(Clock.systemUTC());
    private final ReplicaSetRecord record = new ReplicaSetRecord("foo", 2, ReplicaSetState.RUNNING, List.of("GPU-0"), Map.of(), Instant.now(), Instant.now(), "alice");

    @BeforeEach
    void twoVersionsTheSecondRunning() throws Exception {
        gpus.load(List.of(new Gpu(0, "GPU-0", "A100", 80_000L), new Gpu(1, "GPU-1", "A100", 80_000L)), Map.of("GPU-0", "foo"));
        when(repo.require("foo", ALICE)).thenReturn(new Stored<>(record, 7));
        when(repo.current(record)).thenReturn(version(2));
        when(repo.version("foo", 1)).thenReturn(Optional.of(version(1)));
        when(engine.imageExists("img")).thenReturn(true);
        when(operations.begin(any())).thenAnswer(call -> call.getArgument(0));
        when(engine.inspect("foo-1")).thenReturn(Optional.of(container("foo-1", false)));
        when(engine.inspect("foo-2")).thenReturn(Optional.of(container("foo-2", true)));
        when(engine.inspect("foo-3")).thenReturn(Optional.of(container("foo-3", false)));
    }

    @Test
    void aFailedCopyDuringRollbackReportsTheRollbackCodeAndPutsVersionNBack() throws Exception {
        UpdatePlans plans = plans(new SystemDiskCopier("false", SystemDiskCopier.DEFAULT_LIMIT, StandInConfinement.write(dir)));

        assertThatThrownBy(() -> plans.rollback("foo", new ReplicaSetRequests.Rollback(1L), ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ROLLBACK_FAILED))
                .hasMessageContaining("rollback to 1").hasMessageContaining("copying the system disk of foo-1 into foo-3");
        assertPutBack();
    }

    @Test
    void aHungCopyDuringRestartIsKilledAndReportedWithTheRestartCode() throws Exception {
        String hangingCp = StandInCommand.write(dir, "cp", "sleep 300");
        UpdatePlans plans = plans(new SystemDiskCopier(hangingCp, Duration.ofMillis(500), StandInConfinement.write(dir)));

        assertThatThrownBy(() -> plans.restart("foo", ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONTAINER_RESTART_FAILED))
                .hasMessageContaining("did not finish within 500ms");
        assertPutBack();
    }

    @Test
    void whileTheSystemDiskIsCopiedTheReplicaSetsProgressSaysSoAndAfterwardsNothing() throws Exception {
        String hangingCp = StandInCommand.write(dir, "cp", "sleep 300");
        UpdatePlans plans = plans(new SystemDiskCopier(hangingCp, Duration.ofSeconds(20), StandInConfinement.write(dir)));
        var restart = java.util.concurrent.CompletableFuture.runAsync(() -> plans.restart("foo", ALICE));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> progress.of("replicaset/foo")
                .filter(p -> p.step().equals("copying the system disk of version 2")).isPresent());
        ProgressBoard.Progress during = progress.of("replicaset/foo").orElseThrow();
        assertThat(during.operation()).isEqualTo("restart");
        assertThat(during.startedAt()).isBeforeOrEqualTo(during.stepStartedAt());
        assertThat(progress.of("replicaset/bar")).isEmpty();

        assertThatThrownBy(restart::join).hasCauseInstanceOf(ApiException.class);
        assertThat(progress.of("replicaset/foo")).as("a failed update reports nothing in flight").isEmpty();
    }

    @Test
    void aFailedCopyDuringPatchKeepsThePatchCode() throws Exception {
        UpdatePlans plans = plans(new SystemDiskCopier("false", SystemDiskCopier.DEFAULT_LIMIT, StandInConfinement.write(dir)));

        assertThatThrownBy(() -> plans.patch("foo", new ReplicaSetRequests.Patch(new ReplicaSetRequests.GpuPatch(2), null), ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONTAINER_PATCH_FAILED));
        assertPutBack();
        assertThat(gpus.free()).as("the GPU added for the patch is free again").containsExactly("GPU-1");
    }

    @Test
    void aSuccessfulUpdateTimesEachOfItsPhases() throws Exception {
        plans(new SystemDiskCopier("true", SystemDiskCopier.DEFAULT_LIMIT, StandInConfinement.write(dir))).patch("foo", new ReplicaSetRequests.Patch(null, null), ALICE);

        for (String phase : List.of("prepare", "create", "stop", "copy", "start", "etcd")) {
            assertThat(metrics.find(UpdatePhases.METER).tag("phase", phase).timer()).as(phase).isNotNull()
                    .satisfies(t -> assertThat(t.count()).isEqualTo(1));
        }
    }

    @Test
    void aRollbackToAVersionAnotherNodeHoldsGoesToThatNodeAndChangesNothingHere() throws Exception {
        ReplicaSetRecord moved = new ReplicaSetRecord("foo", 2, ReplicaSetState.RUNNING, List.of("GPU-0"), Map.of(), Instant.now(), Instant.now(), "alice",
                List.of(), 0L, "b", "img");
        when(repo.require("foo", ALICE)).thenReturn(new Stored<>(moved, 7));
        when(repo.history("foo")).thenReturn(List.of(version(1), new ReplicaSetVersion("foo", 2, "foo-2", Instant.now(), "move from node a", SPEC,
                List.of("GPU-0"), Map.of())));
        List<String> asked = new java.util.ArrayList<>();
        RollbackAcross across = (name, k, node, caller) -> {
            asked.add(name + " " + k + " " + node + " " + caller.name());
            return new ReplicaSetViews.ContainerNameView("foo-3", null);
        };
        UpdatePlans plans = new UpdatePlans(update(new SystemDiskCopier("true", SystemDiskCopier.DEFAULT_LIMIT, StandInConfinement.write(dir))), repo, gpus,
                TenantCeilings.NONE, across);

        assertThat(plans.rollback("foo", new ReplicaSetRequests.Rollback(1L), ALICE).containerName()).isEqualTo("foo-3");
        assertThat(asked).containsExactly("foo 1 a alice");
        verify(engine, never()).create(any());
        verify(engine, never()).stop(any());
        verify(operations, never()).begin(any());
        assertThat(gpus.allocations()).containsExactly(Map.entry("GPU-0", "foo"));
    }

    @Test
    void withoutTheMoveARollbackToAVersionAnotherNodeHoldsIsRefusedAsMissingItsFiles() throws Exception {
        ReplicaSetRecord moved = new ReplicaSetRecord("foo", 2, ReplicaSetState.RUNNING, List.of("GPU-0"), Map.of(), Instant.now(), Instant.now(), "alice",
                List.of(), 0L, "b", "img");
        when(repo.require("foo", ALICE)).thenReturn(new Stored<>(moved, 7));
        when(repo.history("foo")).thenReturn(List.of(version(1), new ReplicaSetVersion("foo", 2, "foo-2", Instant.now(), "move from node a", SPEC,
                List.of("GPU-0"), Map.of())));

        assertThatThrownBy(() -> plans(new SystemDiskCopier("true", SystemDiskCopier.DEFAULT_LIMIT, StandInConfinement.write(dir)))
                .rollback("foo", new ReplicaSetRequests.Rollback(1L), ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SNAPSHOT_PRUNED))
                .hasMessageContaining("on node 'a'");
        verify(engine, never()).create(any());
    }

    private void assertPutBack() {
        assertThat(metrics.find(UpdatePhases.METER).timers()).as("a failed update is not timed").isEmpty();
        verify(engine).remove("foo-3");
        verify(engine).start("foo-2");
        verify(repo, never()).update(any(), any(), any(), any());
        verify(operations).drop(any(Intent.class));
        assertThat(gpus.allocations()).containsExactly(Map.entry("GPU-0", "foo"));
    }

    private UpdatePlans plans(SystemDiskCopier copier) {
        return new UpdatePlans(update(copier), repo, gpus);
    }

    private VersionedUpdate update(SystemDiskCopier copier) {
        VersionContainers containers = new VersionContainers(engine, (volume, tenant) -> true, (image, tenant) -> engine.imageExists(image), new HostPathPolicy(List.of(), null, () -> null), "/test", () -> "test-cluster");
        PortScheduler ports = new PortScheduler(new PortRange(40000, 40010), port -> false);
        HoldingsReservations reservations = new HoldingsReservations(gpus, ports,
                new ComputeAllocator(new CpuScheduler(), new MemoryPool(0), gpus, ComputeDefaults.NONE));
        VersionedUpdate update = new VersionedUpdate(repo, engine, containers, reservations, new NameLocks(Duration.ofSeconds(5)),
                copier, mock(VersionPruner.class), operations, metrics, progress);
        return update;
    }

    private static ReplicaSetVersion version(long v) {
        return new ReplicaSetVersion("foo", v, "foo-" + v, Instant.now(), "test", SPEC, List.of("GPU-0"), Map.of());
    }

    private ContainerDetail container(String name, boolean running) throws Exception {
        Path upper = Files.createDirectories(dir.resolve(name).resolve("diff"));
        return ContainerDetail.of(new ContainerSummary("id-" + name, name, running ? "running" : "exited", running, false, Map.of()))
                .withStorage("overlay2", upper.toString());
    }
}
