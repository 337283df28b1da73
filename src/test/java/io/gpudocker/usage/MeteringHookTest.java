package io.gpudocker.usage;

import io.gpudocker.common.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.ReplicaSetVersion;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Stored;
import io.gpudocker.volume.VolumeRecord;
import io.gpudocker.volume.VolumeRepository;
import io.gpudocker.volume.VolumeSize;
import io.gpudocker.volume.VolumeVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every change of a record writes the interval it ends in the same transaction; a change that does not land writes none. */
class MeteringHookTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/gpu-docker-api");
    private final UsageKeys usage = new UsageKeys(keys.usage());
    private final Intents operations = ConfirmedIdentity.operations(store, keys);
    private final ReplicaSetRepository replicaSets = new ReplicaSetRepository(store, keys, operations);
    private final VolumeRepository volumes = new VolumeRepository(store, keys, operations);
    private final TestClock clock = new TestClock(T0);
    private final GpuScheduler gpus = new GpuScheduler();

    @BeforeEach
    void setUp() {
        gpus.load(List.of(new Gpu(0, "GPU-a", "NVIDIA H200", 143_771L), new Gpu(1, "GPU-b", "NVIDIA H200", 143_771L)), Map.of());
        replicaSets.addChangeHook(new MeteringHook<>(store, usage, clock, Held.REPLICASET, ReplicaSetRecord::name,
                r -> UsageConfig.held(r, gpus), ReplicaSetRecord::updateTime));
        volumes.addChangeHook(new MeteringHook<>(store, usage, clock, Held.VOLUME, VolumeRecord::name, UsageConfig::held, VolumeRecord::updateTime));
    }

    @Test
    void aTimelineOfChangesIsMeteredExactly() {
        create("job", List.of("GPU-a", "GPU-b"));
        at(100, () -> update("job", r -> r.inState(ReplicaSetState.PAUSED)));
        at(250, () -> update("job", r -> r.inState(ReplicaSetState.RUNNING)));
        at(300, () -> update("job", r -> r.with(r.version() + 1, ReplicaSetState.RUNNING, List.of("GPU-a"), r.ports())));
        at(400, () -> update("job", ReplicaSetRecord::stopped));
        assertThat(store.get(usage.open(Held.REPLICASET, "job"))).isEmpty();
        at(500, () -> update("job", r -> r.with(r.version(), ReplicaSetState.RUNNING, List.of("GPU-b"), r.ports())));
        at(600, () -> replicaSets.delete(replicaSets.require("job"), Intent.deleting("replicaset", "job", 2, List.of())));

        List<UsageInterval> intervals = intervals();
        assertThat(intervals).extracting(iv -> iv.held().state()).containsExactly("RUNNING", "PAUSED", "RUNNING", "RUNNING", "RUNNING");
        assertThat(intervals.stream().mapToDouble(iv -> iv.held().over(iv.end().toEpochMilli() - iv.start().toEpochMilli()).gpuSecondsTotal()).sum())
                .isEqualTo(2 * 100 + 2 * 150 + 2 * 50 + 100 + 100);
        assertThat(intervals.get(0).held().gpus()).containsEntry("NVIDIA H200", 2);
        assertThat(store.get(usage.open(Held.REPLICASET, "job"))).isEmpty();
    }

    @Test
    void aChangeThatLosesItsRaceWritesNoInterval() {
        create("job", List.of("GPU-a"));
        Stored<ReplicaSetRecord> stale = replicaSets.require("job");
        at(10, () -> update("job", r -> r.inState(ReplicaSetState.PAUSED)));

        clock.advance(Duration.ofSeconds(10));
        assertThatThrownBy(() -> replicaSets.update(stale, stale.record().inState(ReplicaSetState.EXITED), null)).isInstanceOf(ApiException.class);

        assertThat(intervals()).hasSize(1);
        assertThat(open("job").held().state()).isEqualTo("PAUSED");
        assertThat(open("job").start()).isEqualTo(T0.plusSeconds(10));
    }

    @Test
    void aChangeOfNothingMeteredAddsNoInterval() {
        create("job", List.of("GPU-a"));
        at(10, () -> update("job", r -> new ReplicaSetRecord(r.name(), r.version(), r.state(), r.gpus(), r.ports(), r.createTime(),
                r.updateTime(), r.tenant(), r.cpus(), r.memory(), "node2")));

        assertThat(intervals()).isEmpty();
        assertThat(open("job").start()).isEqualTo(T0);
    }

    @Test
    void aRecordWrittenBeforeMeteringIsMeteredFromItsLastChange() {
        ReplicaSetRepository unmetered = new ReplicaSetRepository(store, keys, operations);
        ReplicaSetRecord old = new ReplicaSetRecord("old", 1, ReplicaSetState.RUNNING, List.of("GPU-a"), Map.of(), T0, T0, "bob");
        unmetered.create(old, version("old", List.of("GPU-a")), null);

        at(60, () -> update("old", ReplicaSetRecord::stopped));

        assertThat(intervals()).singleElement().satisfies(iv -> {
            assertThat(iv.start()).isEqualTo(T0);
            assertThat(iv.end()).isEqualTo(T0.plusSeconds(60));
            assertThat(iv.held().tenant()).isEqualTo("bob");
        });
    }

    @Test
    void aVolumeIsMeteredBySizeAndEachResizeClosesAnInterval() {
        VolumeSize tenGb = VolumeSize.parse("10GB");
        VolumeRecord v = new VolumeRecord("data", 1, tenGb.bytes(), tenGb.text(), false, T0, T0, "alice", "local");
        volumes.create(v, new VolumeVersion("data", 1, "data-1", tenGb.bytes(), tenGb.text(), false, T0, "create"), null);
        at(3600, () -> {
            Stored<VolumeRecord> s = volumes.require("data");
            VolumeSize twentyGb = VolumeSize.parse("20GB");
            volumes.resize(s, s.record().resized(2, twentyGb, false),
                    new VolumeVersion("data", 2, "data-2", twentyGb.bytes(), twentyGb.text(), false, T0, "resize"), null);
        });

        assertThat(intervals()).singleElement().satisfies(iv -> assertThat(iv.held().volumeBytes()).isEqualTo(tenGb.bytes()));
        assertThat(open("data", Held.VOLUME).held().volumeBytes()).isEqualTo(VolumeSize.parse("20GB").bytes());
    }

    private void create(String name, List<String> gpuIds) {
        ReplicaSetRecord r = new ReplicaSetRecord(name, 1, ReplicaSetState.RUNNING, gpuIds, Map.of(), T0, T0, "alice");
        replicaSets.create(r, version(name, gpuIds), null);
    }

    private static ReplicaSetVersion version(String name, List<String> gpuIds) {
        return new ReplicaSetVersion(name, 1, name + "-1", T0, "create", null, gpuIds, Map.of());
    }

    private void update(String name, java.util.function.UnaryOperator<ReplicaSetRecord> change) {
        Stored<ReplicaSetRecord> s = replicaSets.require(name);
        replicaSets.update(s, change.apply(s.record()), null);
    }

    private void at(long secondsAfterT0, Runnable change) {
        clock.set(T0.plusSeconds(secondsAfterT0));
        change.run();
    }

    private List<UsageInterval> intervals() {
        return store.list(usage.intervals()).stream().map(KeyValue::value).map(v -> Json.read(v, UsageInterval.class))
                .sorted(java.util.Comparator.comparing(UsageInterval::start)).toList();
    }

    private OpenInterval open(String name) {
        return open(name, Held.REPLICASET);
    }

    private OpenInterval open(String name, String kind) {
        return Json.read(store.get(usage.open(kind, name)).orElseThrow().value(), OpenInterval.class);
    }
}
