package io.gpudocker.replicaset;


import io.gpudocker.api.Caller;
import io.gpudocker.copy.CopyMetrics;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.copy.ReflinkProbe;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.replicaset.ReplicaSetViews.ContainerNameView;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.resource.port.PortRange;
import io.gpudocker.resource.port.PortScheduler;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** An update's answer says how the system disk was carried over; Docker and etcd are stood in for. */
@Timeout(60)
class UpdateCopyReportTest {
    private static final Caller ALICE = Caller.tenant("alice");
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("img", 0, List.of(), List.of(), List.of("sleep", "1"), List.of(), null, null, null, true);

    @TempDir
    Path dir;
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final ReplicaSetRepository repo = mock(ReplicaSetRepository.class);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Intents operations = mock(Intents.class);
    private final ReplicaSetRecord record = new ReplicaSetRecord("foo", 1, ReplicaSetState.RUNNING, List.of(), Map.of(), Instant.now(), Instant.now(), "alice");

    @BeforeEach
    void oneVersionRunning() {
        when(operations.begin(any())).thenAnswer(call -> call.getArgument(0));
        when(repo.require("foo", ALICE)).thenReturn(new Stored<>(record, 7));
        when(repo.current(record)).thenReturn(new ReplicaSetVersion("foo", 1, "foo-1", Instant.now(), "create", SPEC, List.of(), Map.of()));
        when(engine.imageExists("img")).thenReturn(true);
    }

    @Test
    void aPatchAnswersWithTheMethodAndTimeOfItsCopy() throws Exception {
        when(engine.inspect("foo-1")).thenReturn(Optional.of(container("foo-1", true)));
        when(engine.inspect("foo-2")).thenReturn(Optional.of(container("foo-2", false)));
        Files.writeString(dir.resolve("foo-1/diff/changed"), "mine");

        ContainerNameView answer = update().apply("foo", ALICE, "patch", null, (r, current) -> new VersionedUpdate.Target(SPEC, 1));

        assertThat(answer.containerName()).isEqualTo("foo-2");
        assertThat(answer.copy()).isNotNull();
        assertThat(answer.copy().method()).isIn("reflink", "bytes");
        assertThat(answer.copy().millis()).isNotNegative();
        assertThat(dir.resolve("foo-2/diff/changed")).hasContent("mine");
        assertThat(registry.get(CopyMetrics.METER).tags("kind", "system-disk", "method", answer.copy().method()).timer().count()).isEqualTo(1);
    }

    @Test
    void withNoOldContainerToCopyFromThereIsNoCopyToReport() {
        when(engine.inspect("foo-1")).thenReturn(Optional.empty());

        ContainerNameView answer = update().apply("foo", ALICE, "patch", null, (r, current) -> new VersionedUpdate.Target(SPEC, 1));

        assertThat(answer.containerName()).isEqualTo("foo-2");
        assertThat(answer.copy()).isNull();
        assertThat(registry.find(CopyMetrics.METER).timer()).isNull();
    }

    private VersionedUpdate update() {
        VersionContainers containers = new VersionContainers(engine, (volume, tenant) -> true, (image, tenant) -> engine.imageExists(image), new HostPathPolicy(List.of(), null, () -> null), "/test", () -> "test-cluster");
        SystemDiskCopier copier = new SystemDiskCopier("cp", Duration.ofMinutes(1), new ReflinkProbe("cp"), new CopyMetrics(registry), new io.gpudocker.copy.ConfinedCommand());
        HoldingsReservations reservations = new HoldingsReservations(new GpuScheduler(), new PortScheduler(new PortRange(40000, 40010), port -> false),
                new ComputeAllocator(new CpuScheduler(), new MemoryPool(0), new GpuScheduler(), ComputeDefaults.NONE));
        return new VersionedUpdate(repo, engine, containers, reservations,
                new NameLocks(Duration.ofSeconds(5)), copier, mock(VersionPruner.class), operations, registry, new ProgressBoard(Clock.systemUTC()));
    }

    private ContainerDetail container(String name, boolean running) throws Exception {
        Path upper = Files.createDirectories(dir.resolve(name).resolve("diff"));
        return ContainerDetail.of(new ContainerSummary("id-" + name, name, running ? "running" : "exited", running, false, Map.of()))
                .withStorage("overlay2", upper.toString());
    }
}
