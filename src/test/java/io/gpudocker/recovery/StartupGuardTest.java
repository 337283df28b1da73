package io.gpudocker.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetSpec;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.ReplicaSetVersion;
import io.gpudocker.store.Cluster;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.volume.VolumeJanitor;
import io.gpudocker.volume.VolumeRecord;
import io.gpudocker.volume.VolumeRepository;
import io.gpudocker.volume.VolumeVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whether start-up may act at all: etcd must be the record of what Docker holds under the prefix, or the start is
 * refused with nothing changed, or (--recover) the records are rebuilt from the objects' labels first. etcd is the
 * store stand-in, Docker a stand-in that lists what a test put there.
 */
class StartupGuardTest {
    private static final String OWNER = "/t";
    private static final String ETCD = "http://etcd:2379";
    private static final Instant T0 = Instant.parse("2025-01-01T08:00:00Z");
    private static final String OURS = "c-ours";
    private static final String OLD = "c-old";

    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys(OWNER);
    private final ClusterIdentity identity = new ClusterIdentity(store, keys, "etcd test");
    private final Intents operations = new Intents(store, keys, identity);
    private final ReplicaSetRepository replicaSets = new ReplicaSetRepository(store, keys, operations);
    private final VolumeRepository volumes = new VolumeRepository(store, keys, operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final VolumeEngine volumeEngine = mock(VolumeEngine.class);
    private final VolumeJanitor janitor = mock(VolumeJanitor.class);
    private final List<ContainerSummary> containers = new ArrayList<>();
    private final List<VolumeSummary> dockerVolumes = new ArrayList<>();
    /** The writer of an earlier run of this deployment, for seeding etcd. */
    private Intents earlier;

    @BeforeEach
    void dockerListsWhatTheTestPutThere() {
        when(engine.listByLabels(ManagedLabels.owner(OWNER))).thenAnswer(call -> List.copyOf(containers));
        when(volumeEngine.listVolumesByLabels(ManagedLabels.owner(OWNER))).thenAnswer(call -> List.copyOf(dockerVolumes));
    }

    // --- allowed

    @Test
    void aFreshDeploymentWritesItsClusterIdAndStarts() {
        guard(false).verify();

        Map<String, String> etcd = store.snapshot();
        assertThat(etcd).containsOnlyKeys(keys.cluster());
        Cluster written = identity.read().orElseThrow();
        assertThat(written.adopted()).isEmpty();
        assertThat(identity.isConfirmed()).isTrue();
        assertThat(identity.cluster().id()).isEqualTo(written.id());
        verify(janitor).schedule();
    }

    @Test
    void anUpgradeFromBeforeTheClusterLabelWritesAClusterIdAndStarts() {
        ReplicaSetVersion v1 = version("foo", 1, List.of(), Map.of());
        replicaSets.create(record(v1, ReplicaSetState.RUNNING), v1, null);
        volumes.create(volumeRecord("data", 1), volumeVersion("data", 1), null);
        containers.add(container(v1, true, null, null, false));
        dockerVolumes.add(dockerVolume(volumeVersion("data", 1), null, null, false));
        Map<String, String> before = store.snapshot();

        guard(false).verify();

        assertThat(store.snapshot()).containsAllEntriesOf(before).containsKey(keys.cluster()).hasSize(before.size() + 1);
        assertThat(identity.isConfirmed()).isTrue();
        verify(janitor).schedule();
    }

    @Test
    void aStartWhereEtcdKnowsEverythingConfirmsTheIdentityAndWritesNothing() {
        seedDeployment(OURS);
        ReplicaSetVersion v1 = version("foo", 1, List.of("GPU-0"), Map.of("22", 40000));
        replicaSets.create(record(v1, ReplicaSetState.RUNNING), v1, earlier.begin(Intent.start(Intent.REPLICASET, "create", "foo", 1)));
        volumes.create(volumeRecord("data", 1), volumeVersion("data", 1), earlier.begin(Intent.start(Intent.VOLUME, "create", "data", 1)));
        containers.add(container(v1, true, OURS, "op-made-foo", true));
        dockerVolumes.add(dockerVolume(volumeVersion("data", 1), OURS, "op-made-data", true));
        Map<String, String> before = store.snapshot();

        guard(false).verify();

        assertThat(store.snapshot()).isEqualTo(before);
        assertThat(identity.cluster().id()).isEqualTo(OURS);
        verify(janitor).schedule();
    }

    @Test
    void objectsAnIntentProvesUncommittedAreNotUnknown() {
        seedDeployment(OURS);
        Intent create = earlier.begin(Intent.start(Intent.REPLICASET, "create", "foo", 1));
        Intent volumeCreate = earlier.begin(Intent.start(Intent.VOLUME, "create", "data", 1));
        Intent delete = earlier.begin(Intent.deleting(Intent.REPLICASET, "gone", 2, List.of("id-gone-2")));
        containers.add(container(version("foo", 1, List.of(), Map.of()), false, OURS, create.id(), true));
        containers.add(container(version("gone", 2, List.of(), Map.of()), false, OURS, "op-made-gone", true));
        dockerVolumes.add(dockerVolume(volumeVersion("data", 1), OURS, volumeCreate.id(), true));
        Map<String, String> before = store.snapshot();

        guard(false).verify();

        assertThat(store.snapshot()).as("the intents stay for the reconcile and the janitor").isEqualTo(before);
        assertThat(operations.all()).extracting(Intent::id).containsExactlyInAnyOrder(create.id(), volumeCreate.id(), delete.id());
        verify(janitor).schedule();
    }

    @Test
    void recoverWithNothingToRebuildStartsAsAnyStart() {
        guard(true).verify();

        assertThat(store.snapshot()).containsOnlyKeys(keys.cluster());
        assertThat(identity.read().orElseThrow().adopted()).isEmpty();
        assertThat(identity.isConfirmed()).isTrue();
    }

    // --- refused

    @Test
    void aWipedEtcdUnderDockerObjectsRefusesWithStatus3AndChangesNothing() {
        containers.add(container(version("foo", 1, List.of("GPU-0"), Map.of()), false, OLD, "op1", true));
        containers.add(container(version("foo", 2, List.of("GPU-0"), Map.of()), true, OLD, "op2", true));
        containers.add(container(version("bar", 1, List.of(), Map.of()), true, OLD, "op3", true));
        dockerVolumes.add(dockerVolume(volumeVersion("data", 1), OLD, "op4", true));

        assertThatThrownBy(() -> guard(false).verify()).isInstanceOfSatisfying(StartRefusedException.class, e -> {
            assertThat(e.getExitCode()).isEqualTo(3).isEqualTo(StartRefusedException.EXIT_STATUS);
            assertThat(e.getMessage()).isEqualTo("refusing to start: Docker holds 2 instance(s) [bar, foo] (3 container(s) [bar-1, foo-1, foo-2]) "
                    + "and 1 volume(s) [data] (1 Docker volume(s) [data-1]) under prefix /t that etcd http://etcd:2379 does not know; "
                    + "etcd holds no cluster id under this prefix: it is fresh or was wiped, or -e or gda.etcd.prefix names the wrong one. Nothing was changed.");
            assertThat(e.action()).isEqualTo("Either start again with --recover to rebuild their records from what Docker holds, or remove them on purpose "
                    + "with scripts/reset.sh --containers -e http://etcd:2379 -p /t (this deletes the instances and volumes and their data).");
        });

        assertNothingChanged(Map.of());
    }

    @Test
    void anObjectOfThisDeploymentWithNoRecordAndNoIntentRefusesTheStart() {
        seedDeployment(OURS);
        containers.add(container(version("baz", 1, List.of(), Map.of()), true, OURS, "op-long-committed", true));
        Map<String, String> before = store.snapshot();

        assertThatThrownBy(() -> guard(false).verify()).isInstanceOf(StartRefusedException.class)
                .hasMessageContaining("1 instance(s) [baz] (1 container(s) [baz-1]) and 0 volume(s) [] (0 Docker volume(s) [])")
                .hasMessageContaining("etcd's cluster id c-ours does not account for them (no record, no unfinished operation, or made under cluster id(s) [c-ours])");

        assertNothingChanged(before);
    }

    @Test
    void aVolumeWithNoRecordAndNoIntentRefusesTheStart() {
        seedDeployment(OURS);
        dockerVolumes.add(dockerVolume(volumeVersion("data", 3), OURS, "op-long-committed", true));
        Map<String, String> before = store.snapshot();

        assertThatThrownBy(() -> guard(false).verify()).isInstanceOf(StartRefusedException.class)
                .hasMessageContaining("0 instance(s) [] (0 container(s) []) and 1 volume(s) [data] (1 Docker volume(s) [data-3])");

        assertNothingChanged(before);
    }

    @Test
    void anIntentProvesOnlyWhatCarriesItsIdAndIsOfItsObject() {
        seedDeployment(OURS);
        Intent create = earlier.begin(Intent.start(Intent.REPLICASET, "create", "foo", 1));
        earlier.begin(Intent.deleting(Intent.REPLICASET, "gone", 2, List.of("id-gone-1")));
        // made by another call than the one whose intent is there
        containers.add(container(version("foo", 2, List.of(), Map.of()), false, OURS, "op-other", true));
        // carries the intent's id, but the intent is foo's
        containers.add(container(version("baz", 1, List.of(), Map.of()), false, OURS, create.id(), true));
        // the delete intent lists another container
        containers.add(container(version("gone", 2, List.of(), Map.of()), false, OURS, "op-made-gone", true));
        // a volume does not count on a replicaset's intent of the same name
        dockerVolumes.add(dockerVolume(volumeVersion("foo", 1), OURS, create.id(), true));
        Map<String, String> before = store.snapshot();

        assertThatThrownBy(() -> guard(false).verify()).isInstanceOf(StartRefusedException.class)
                .hasMessageContaining("3 instance(s) [baz, foo, gone] (3 container(s) [baz-1, foo-2, gone-2]) and 1 volume(s) [foo] (1 Docker volume(s) [foo-1])");

        assertNothingChanged(before);
    }

    @Test
    void anObjectMadeUnderAnotherClusterIdRefusesTheStartEvenWhereANameHasARecord() {
        seedDeployment(OURS);
        ReplicaSetVersion v1 = version("foo", 1, List.of(), Map.of());
        replicaSets.create(record(v1, ReplicaSetState.RUNNING), v1, earlier.begin(Intent.start(Intent.REPLICASET, "create", "foo", 1)));
        Intent intent = earlier.begin(Intent.start(Intent.REPLICASET, "create", "bar", 1));
        containers.add(container(v1, true, OLD, "op-old", true));
        containers.add(container(version("bar", 1, List.of(), Map.of()), false, OLD, intent.id(), true));
        Map<String, String> before = store.snapshot();

        assertThatThrownBy(() -> guard(false).verify()).isInstanceOf(StartRefusedException.class)
                .hasMessageContaining("2 instance(s) [bar, foo]")
                .hasMessageContaining("etcd's cluster id c-ours does not account for them")
                .hasMessageContaining("made under cluster id(s) [c-old]");

        assertNothingChanged(before);
    }

    @Test
    void recoverRefusesToRebuildOverARecordAnotherDeploymentMade() {
        seedDeployment(OURS);
        ReplicaSetVersion v1 = version("foo", 1, List.of(), Map.of());
        replicaSets.create(record(v1, ReplicaSetState.RUNNING), v1, earlier.begin(Intent.start(Intent.REPLICASET, "create", "foo", 1)));
        containers.add(container(v1, true, OLD, "op-old", true));
        dockerVolumes.add(dockerVolume(volumeVersion("data", 1), OLD, "op-old-data", true));
        Map<String, String> before = store.snapshot();

        assertThatThrownBy(() -> guard(true).verify()).isInstanceOfSatisfying(StartRefusedException.class, e -> {
            assertThat(e.getExitCode()).isEqualTo(3);
            assertThat(e.getMessage()).startsWith("refusing to recover: Docker holds 1 instance(s) [foo]")
                    .contains("made under cluster id(s) [c-old]").contains("has records of [replicaset foo] made by another deployment")
                    .endsWith("Nothing was changed.");
            assertThat(e.action()).contains("Check -e and gda.etcd.prefix");
        });

        assertNothingChanged(before);
    }

    // --- --recover

    @Test
    void recoverRebuildsTheRecordsFromTheLabelsThenStartsAndTheNextStartNeedsNoRecover() {
        ReplicaSetVersion foo1 = version("foo", 1, List.of("GPU-0"), Map.of("22", 40000));
        ReplicaSetVersion foo2 = version("foo", 2, List.of("GPU-1"), Map.of("22", 40001));
        ReplicaSetVersion bar1 = version("bar", 1, List.of("GPU-2"), Map.of("22", 40002));
        containers.add(container(foo1, false, OLD, "op1", true));
        containers.add(container(foo2, true, OLD, "op2", true));
        containers.add(container(bar1, false, OLD, "op3", true));
        dockerVolumes.add(dockerVolume(volumeVersion("data", 1), OLD, "op4", true));
        dockerVolumes.add(dockerVolume(volumeVersion("data", 2), OLD, "op5", true));

        guard(true).verify();

        Cluster written = identity.read().orElseThrow();
        assertThat(written.id()).isNotEqualTo(OLD);
        assertThat(written.adopted()).containsExactly(OLD);
        assertThat(identity.isConfirmed()).isTrue();

        ReplicaSetRecord foo = replicaSets.require("foo").record();
        assertThat(foo.version()).isEqualTo(2);
        assertThat(foo.state()).as("its current container runs").isEqualTo(ReplicaSetState.RUNNING);
        assertThat(foo.gpus()).containsExactly("GPU-1");
        assertThat(foo.ports()).containsExactly(Map.entry("22", 40001));
        assertThat(foo.tenant()).isEqualTo("alice");
        assertThat(replicaSets.history("foo")).extracting(ReplicaSetVersion::version).containsExactly(2L, 1L);
        assertThat(replicaSets.version("foo", 1)).contains(foo1);

        ReplicaSetRecord bar = replicaSets.require("bar").record();
        assertThat(bar.state()).as("its container does not run").isEqualTo(ReplicaSetState.STOPPED);
        assertThat(bar.gpus()).isEmpty();
        assertThat(bar.ports()).isEmpty();

        Map<String, String> etcd = store.snapshot();
        assertThat(etcd).containsEntry(keys.gpu("GPU-1"), "foo").doesNotContainKey(keys.gpu("GPU-0")).doesNotContainKey(keys.gpu("GPU-2"));
        assertThat(etcd).containsEntry(keys.port(40001), "foo");

        VolumeRecord data = volumes.require("data").record();
        assertThat(data.version()).isEqualTo(2);
        assertThat(volumes.history("data")).extracting(VolumeVersion::version).containsExactly(2L, 1L);
        verify(janitor).schedule();

        // a start after it, without --recover: everything is known now
        Map<String, String> recovered = store.snapshot();
        ClusterIdentity restarted = new ClusterIdentity(store, keys, "etcd test");
        guard(false, restarted).verify();
        assertThat(store.snapshot()).isEqualTo(recovered);
        assertThat(restarted.cluster().id()).isEqualTo(written.id());
    }

    @Test
    void recoverUnderAnExistingClusterIdAddsTheObjectsIdsToItsAdoptedOnes() {
        seedDeployment(OURS);
        ReplicaSetVersion baz1 = version("baz", 1, List.of(), Map.of());
        containers.add(container(baz1, true, OLD, "op-old", true));

        guard(true).verify();

        Cluster cluster = identity.read().orElseThrow();
        assertThat(cluster.id()).isEqualTo(OURS);
        assertThat(cluster.adopted()).containsExactly(OLD);
        assertThat(replicaSets.require("baz").record().state()).isEqualTo(ReplicaSetState.RUNNING);
        assertThat(identity.cluster().id()).isEqualTo(OURS);
    }

    @Test
    void aRebuiltReplicaSetWhoseGpuAnotherRecordHoldsIsRecordedStoppedHoldingNothing() {
        seedDeployment(OURS);
        ReplicaSetVersion foo1 = version("foo", 1, List.of("GPU-0"), Map.of());
        replicaSets.create(record(foo1, ReplicaSetState.RUNNING), foo1, earlier.begin(Intent.start(Intent.REPLICASET, "create", "foo", 1)));
        containers.add(container(foo1, true, OURS, "op-foo", true));
        ReplicaSetVersion bar1 = version("bar", 1, List.of("GPU-0"), Map.of());
        containers.add(container(bar1, true, OLD, "op-bar", true));

        guard(true).verify();

        ReplicaSetRecord bar = replicaSets.require("bar").record();
        assertThat(bar.state()).isEqualTo(ReplicaSetState.STOPPED);
        assertThat(bar.gpus()).isEmpty();
        assertThat(store.snapshot()).containsEntry(keys.gpu("GPU-0"), "foo");
        assertThat(replicaSets.version("bar", 1)).contains(bar1);
    }

    @Test
    void objectsFromBeforeTheRecordLabelAreKeptUnrebuiltAndALaterStartRefusesAgain() {
        containers.add(container(version("old", 1, List.of(), Map.of()), true, null, null, false));

        guard(true).verify();

        assertThat(replicaSets.find("old")).isEmpty();
        assertThat(identity.isConfirmed()).as("the start goes on").isTrue();
        Map<String, String> after = store.snapshot();
        assertThat(after).containsOnlyKeys(keys.cluster());

        ClusterIdentity restarted = new ClusterIdentity(store, keys, "etcd test");
        assertThatThrownBy(() -> guard(false, restarted).verify()).isInstanceOf(StartRefusedException.class)
                .hasMessageContaining("1 instance(s) [old] (1 container(s) [old-1])");
        assertThat(store.snapshot()).isEqualTo(after);
    }

    // --- helpers

    private StartupGuard guard(boolean recover) {
        return guard(recover, identity);
    }

    private StartupGuard guard(boolean recover, ClusterIdentity id) {
        Intents ops = new Intents(store, keys, id);
        ReplicaSetRepository sets = new ReplicaSetRepository(store, keys, ops);
        VolumeRepository vols = new VolumeRepository(store, keys, ops);
        return new StartupGuard(id, new CensusTaker(engine, volumeEngine, sets, vols, ops, OWNER), new RecordRebuilder(sets, vols), janitor,
                recover, null, ETCD, OWNER);
    }

    /** etcd as an earlier run of deployment {@code id} left it, and a writer of that run for records and intents. */
    private void seedDeployment(String id) {
        ClusterIdentity before = new ClusterIdentity(store, keys, "etcd earlier");
        before.createIfAbsent(new Cluster(id, List.of(), T0));
        before.confirm();
        earlier = new Intents(store, keys, before);
    }

    /** Refused: etcd as it was, Docker only listed, the identity not confirmed and the janitor not started. */
    private void assertNothingChanged(Map<String, String> before) {
        assertThat(store.snapshot()).isEqualTo(before);
        verify(engine).listByLabels(ManagedLabels.owner(OWNER));
        verify(volumeEngine).listVolumesByLabels(ManagedLabels.owner(OWNER));
        verifyNoMoreInteractions(engine, volumeEngine);
        verifyNoInteractions(janitor);
        assertThat(identity.isConfirmed()).isFalse();
    }

    private static ReplicaSetVersion version(String name, long v, List<String> gpus, Map<String, Integer> ports) {
        ReplicaSetSpec spec = new ReplicaSetSpec("img", gpus.size(), List.of(), List.of("A=1"), List.of("sleep", "infinity"), List.copyOf(ports.keySet()));
        return new ReplicaSetVersion(name, v, ReplicaSetRecord.containerName(name, v), T0.plusSeconds(v), v == 1 ? "create" : "patch", spec, gpus, ports);
    }

    private static ReplicaSetRecord record(ReplicaSetVersion v, ReplicaSetState state) {
        return new ReplicaSetRecord(v.replicaSet(), v.version(), state, v.gpus(), v.ports(), T0, T0, "alice");
    }

    private static VolumeVersion volumeVersion(String name, long v) {
        return new VolumeVersion(name, v, name + "-" + v, null, null, false, T0.plusSeconds(v), v == 1 ? "create" : "resize");
    }

    private static VolumeRecord volumeRecord(String name, long v) {
        return new VolumeRecord(name, v, null, null, false, T0, T0, "alice", "local");
    }

    /**
     * A container of this prefix; {@code cluster} null: made before the cluster label (and the operation and record
     * labels); {@code withRecord}: carries its version's record.
     */
    private static ContainerSummary container(ReplicaSetVersion v, boolean running, String cluster, String operation, boolean withRecord) {
        Map<String, String> labels = new LinkedHashMap<>(ManagedLabels.replicaSetVersion(OWNER, v.replicaSet(), v.version()));
        if (cluster != null) {
            labels = ManagedLabels.stamped(labels, cluster, operation, withRecord ? Json.write(v) : null);
        }
        if (!withRecord) {
            labels.remove(ManagedLabels.RECORD);
        }
        labels.put(ManagedLabels.TENANT, "alice");
        labels.values().removeIf(java.util.Objects::isNull);
        return new ContainerSummary("id-" + v.containerName(), v.containerName(), running ? "Up" : "Exited", running, false, labels);
    }

    private static VolumeSummary dockerVolume(VolumeVersion v, String cluster, String operation, boolean withRecord) {
        Map<String, String> labels = new LinkedHashMap<>(ManagedLabels.volumeVersion(OWNER, v.name(), v.version()));
        if (cluster != null) {
            labels = ManagedLabels.stamped(labels, cluster, operation, withRecord ? Json.write(v) : null);
        }
        labels.values().removeIf(java.util.Objects::isNull);
        labels.put(ManagedLabels.TENANT, "alice");
        return new VolumeSummary(v.dockerName(), "local", "/var/lib/docker/volumes/" + v.dockerName(), labels, Map.of());
    }
}
