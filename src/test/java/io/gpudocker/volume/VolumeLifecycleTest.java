package io.gpudocker.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.OutcomeUnknown;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineException;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.store.CommitOutcomeUnknownException;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore.Fault;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.store.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Volume create and delete: the intent, the Docker volume {@code name-N} and the record committed dropping the
 * intent, and what a failure at each step leaves; a delete refused while a container mounts a version, else every
 * version removed and the record forgotten. etcd is the store stand-in, Docker's volumes a stand-in that keeps them.
 */
class VolumeLifecycleTest {
    private static final String OWNER = "/t";
    private static final Caller ALICE = Caller.tenant("alice");
    private static final Caller BOB = Caller.tenant("bob");
    private static final Instant T0 = Instant.parse("2025-01-01T08:00:00Z");

    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys(OWNER);
    private final Intents operations = ConfirmedIdentity.operations(store, keys);
    private final VolumeRepository repo = new VolumeRepository(store, keys, operations);
    private final FakeVolumes docker = new FakeVolumes();
    private final VolumeSizeSupport sizeSupport = mock(VolumeSizeSupport.class);
    private final VolumeJanitor janitor = mock(VolumeJanitor.class);
    private final VolumeLifecycle lifecycle = new VolumeLifecycle(repo, docker,
            new DockerVolumes(mock(ContainerEngine.class), docker, OWNER, () -> "test-cluster", operations),
            new NameLocks(Duration.ofSeconds(5)), sizeSupport, janitor, operations);

    @BeforeEach
    void quotaWorks() {
        when(sizeSupport.enforced()).thenReturn(true);
    }

    // --- create

    @Test
    void aCreateWritesTheIntentMakesNameOneWithItsSizeAndLabelsAndCommitsDroppingTheIntent() {
        List<Intent> intentsWhileCreating = new ArrayList<>();
        docker.onCreate = name -> intentsWhileCreating.addAll(operations.all());

        VolumeViews.Created created = lifecycle.create(new VolumeRequests.Create("data", "20GB"), ALICE);

        assertThat(created).isEqualTo(new VolumeViews.Created("data-1", "data", 1, "20GB", 20L << 30, true));
        assertThat(intentsWhileCreating).singleElement().satisfies(op -> {
            assertThat(op.kind()).isEqualTo(Intent.VOLUME);
            assertThat(op.action()).isEqualTo("create");
            assertThat(op.name()).isEqualTo("data");
            assertThat(op.version()).isEqualTo(1);
        });
        String intentId = intentsWhileCreating.get(0).id();

        Made made = docker.made.get("data-1");
        assertThat(made.driverOpts()).containsExactly(Map.entry("size", Long.toString(20L << 30)));
        VolumeVersion first = repo.version("data", 1).orElseThrow();
        assertThat(made.labels()).containsEntry(ManagedLabels.OWNER, OWNER).containsEntry(ManagedLabels.VOLUME, "data")
                .containsEntry(ManagedLabels.VERSION, "1").containsEntry(ManagedLabels.CLUSTER, "test-cluster")
                .containsEntry(ManagedLabels.OPERATION, intentId).containsEntry(ManagedLabels.TENANT, "alice");
        assertThat(Json.read(made.labels().get(ManagedLabels.RECORD), VolumeVersion.class)).isEqualTo(first);

        VolumeRecord record = repo.require("data", ALICE).record();
        assertThat(record.version()).isEqualTo(1);
        assertThat(record.sizeBytes()).isEqualTo(20L << 30);
        assertThat(record.size()).isEqualTo("20GB");
        assertThat(record.sizeEnforced()).isTrue();
        assertThat(record.tenant()).isEqualTo("alice");
        assertThat(record.node()).isEqualTo("local");
        assertThat(first.dockerName()).isEqualTo("data-1");
        assertThat(first.cause()).isEqualTo("create");
        assertThat(operations.all()).as("dropped by the commit").isEmpty();
        verify(janitor).schedule();
    }

    @Test
    void aSizeQuotaCannotHoldIsDeclaredAndNotPassedToDocker() {
        when(sizeSupport.enforced()).thenReturn(false);

        VolumeViews.Created created = lifecycle.create(new VolumeRequests.Create("data", "1GB"), ALICE);

        assertThat(created.sizeEnforced()).isFalse();
        assertThat(created.sizeBytes()).isEqualTo(1L << 30);
        assertThat(docker.made.get("data-1").driverOpts()).isEmpty();
        assertThat(repo.require("data").record().sizeEnforced()).isFalse();
    }

    @Test
    void aCreateWithoutASizeIsUnlimited() {
        VolumeViews.Created created = lifecycle.create(new VolumeRequests.Create("data", null), ALICE);

        assertThat(created.size()).isNull();
        assertThat(created.sizeBytes()).isNull();
        assertThat(created.sizeEnforced()).isFalse();
        assertThat(docker.made.get("data-1").driverOpts()).isEmpty();
        assertThat(repo.require("data").record().size()).isNull();
    }

    @Test
    void aNameThatExistsIsRefusedWith1026OnItsFieldAndNothingIsMade() {
        lifecycle.create(new VolumeRequests.Create("data", "1GB"), ALICE);
        docker.made.clear();
        Map<String, String> before = store.snapshot();

        for (Caller caller : List.of(ALICE, BOB)) {
            assertThatThrownBy(() -> lifecycle.create(new VolumeRequests.Create("data", "2GB"), caller)).as(caller.name())
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_EXISTS);
                        assertThat(e.code().code()).isEqualTo(1026);
                        assertThat(e.getMessage()).isEqualTo("volume 'data' already exists");
                        assertThat(e.field()).isEqualTo("name");
                    });
        }

        assertThat(docker.made).isEmpty();
        assertThat(store.snapshot()).as("no intent, no record touched").isEqualTo(before);
    }

    @Test
    void aDockerFailureRemovesNothingItDidNotMakeDropsTheIntentAndAnswersTheOperationsError() {
        docker.failCreate = new EngineException(500, "no space left on device", null);

        assertThatThrownBy(() -> lifecycle.create(new VolumeRequests.Create("data", "1GB"), ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_CREATE_FAILED);
                    assertThat(e.getMessage()).isEqualTo("failed to create volume 'data': no space left on device");
                });

        assertThat(docker.removed).isEmpty();
        assertThat(operations.all()).isEmpty();
        assertThat(repo.find("data")).isEmpty();
        verify(janitor).schedule();
    }

    @Test
    void dockerRefusalsKeepTheirMeaning() {
        docker.failCreate = new EngineException(409, "volume name in use", null);
        assertThatThrownBy(() -> lifecycle.create(new VolumeRequests.Create("data", null), ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_IN_USE);
                    assertThat(e.getMessage()).isEqualTo("cannot create volume 'data': volume name in use");
                });

        docker.failCreate = new EngineException(400, "invalid volume name", null);
        assertThatThrownBy(() -> lifecycle.create(new VolumeRequests.Create("data", null), ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMS));

        docker.failCreate = new IllegalStateException("socket closed");
        assertThatThrownBy(() -> lifecycle.create(new VolumeRequests.Create("data", null), ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_CREATE_FAILED);
                    assertThat(e.getMessage()).isEqualTo("failed to create volume 'data': IllegalStateException: socket closed");
                });

        assertThat(docker.removed).isEmpty();
        assertThat(operations.all()).isEmpty();
        assertThat(repo.find("data")).isEmpty();
    }

    @Test
    void aRecordWriteThatDidNotLandRemovesTheNewVolumeAndDropsTheIntent() {
        docker.onCreate = name -> store.failNextCommit(Fault.TIME_OUT_WITHOUT_APPLYING);

        assertThatThrownBy(() -> lifecycle.create(new VolumeRequests.Create("data", "1GB"), ALICE))
                .isInstanceOf(StoreUnavailableException.class).isNotInstanceOf(OutcomeUnknown.class)
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.ETCD_UNAVAILABLE));

        assertThat(docker.removed).containsExactly("data-1");
        assertThat(docker.volumes).doesNotContainKey("data-1");
        assertThat(operations.all()).isEmpty();
        assertThat(repo.find("data")).isEmpty();
    }

    @Test
    void aRecordWriteThatLandedWithoutAnAnswerIsASuccess() {
        docker.onCreate = name -> store.failNextCommit(Fault.APPLY_THEN_TIME_OUT);

        assertThat(lifecycle.create(new VolumeRequests.Create("data", "1GB"), ALICE).name()).isEqualTo("data-1");

        assertThat(docker.removed).isEmpty();
        assertThat(repo.require("data").record().version()).isEqualTo(1);
        assertThat(operations.all()).isEmpty();
    }

    @Test
    void aCommitOfUnknownOutcomeKeepsTheDockerVolumeAndTheIntent() {
        docker.onCreate = name -> {
            store.failNextCommit(Fault.TIME_OUT_WITHOUT_APPLYING);
            store.failReads(true);
        };

        assertThatThrownBy(() -> lifecycle.create(new VolumeRequests.Create("data", "1GB"), ALICE))
                .isInstanceOf(CommitOutcomeUnknownException.class)
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.ETCD_UNAVAILABLE));
        store.failReads(false);

        assertThat(docker.removed).isEmpty();
        assertThat(docker.volumes).containsKey("data-1");
        assertThat(repo.find("data")).isEmpty();
        // the record was not written: the intent still proves data-1 uncommitted to the janitor
        assertThat(operations.all()).singleElement().satisfies(op -> {
            assertThat(op.concerns(Intent.VOLUME, "data")).isTrue();
            assertThat(op.id()).isEqualTo(docker.made.get("data-1").labels().get(ManagedLabels.OPERATION));
        });
    }

    @Test
    void aCreateThatLosesTheRaceForTheNameRemovesItsVolumeAndIsRefusedOnTheNameField() {
        // another node records the name between the check and the commit
        docker.onCreate = name -> repo.create(new VolumeRecord("data", 1, null, null, false, T0, T0, "bob", "gpu2"),
                new VolumeVersion("data", 1, "data-1", null, null, false, T0, "create"), null);

        assertThatThrownBy(() -> lifecycle.create(new VolumeRequests.Create("data", null), ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_EXISTS);
                    assertThat(e.getMessage()).isEqualTo("volume 'data' already exists");
                    assertThat(e.field()).isEqualTo("name");
                });

        assertThat(docker.removed).containsExactly("data-1");
        assertThat(operations.all()).isEmpty();
        assertThat(repo.require("data").record().tenant()).as("the winner's record stands").isEqualTo("bob");
    }

    @Test
    void aLeftoverDockerVolumeOfOursIsSteppedOverAndKept() {
        docker.volumes.put("data-1", summary("data-1", ManagedLabels.volumeVersion(OWNER, "data", 1)));

        VolumeViews.Created created = lifecycle.create(new VolumeRequests.Create("data", null), ALICE);

        assertThat(created.name()).isEqualTo("data-2");
        assertThat(created.version()).isEqualTo(2);
        assertThat(docker.removed).isEmpty();
        assertThat(docker.volumes).containsKeys("data-1", "data-2");
        assertThat(repo.require("data").record().version()).isEqualTo(2);
    }

    @Test
    void aDockerVolumeOfTheNameThatIsNotOursRefusesTheCreate() {
        docker.volumes.put("data-1", summary("data-1", Map.of()));

        assertThatThrownBy(() -> lifecycle.create(new VolumeRequests.Create("data", null), ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_EXISTS))
                .hasMessageContaining("'data-1' already exists and is not managed by this service");

        assertThat(docker.made).isEmpty();
        assertThat(docker.removed).isEmpty();
        assertThat(operations.all()).isEmpty();
        assertThat(repo.find("data")).isEmpty();
    }

    // --- delete

    @Test
    void aDeleteIsRefusedWith1043WhileAContainerMountsAnyVersion() {
        threeVersions();
        docker.users.put("data-1", List.of("foo-3"));
        Map<String, String> before = store.snapshot();

        assertThatThrownBy(() -> lifecycle.delete("data", ALICE)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_IN_USE);
            assertThat(e.code().code()).isEqualTo(1043);
            assertThat(e.getMessage()).isEqualTo("volume 'data' is still mounted (data-1 by container(s) [foo-3]); "
                    + "delete those containers or rebind them to another volume first");
        });

        assertThat(docker.removed).isEmpty();
        assertThat(store.snapshot()).isEqualTo(before);
    }

    @Test
    void aDeleteRemovesEveryVersionOldestFirstAndForgetsTheRecord() {
        threeVersions();
        docker.volumes.remove("data-2"); // already swept as superseded
        docker.volumes.put("foreign", summary("foreign", Map.of()));

        lifecycle.delete("data", ALICE);

        assertThat(docker.removed).as("the current version last").containsExactly("data-1", "data-3");
        assertThat(repo.find("data")).isEmpty();
        assertThat(repo.history("data")).isEmpty();
        assertThat(store.snapshot()).as("no volume key left").noneSatisfy((k, v) -> assertThat(k).contains("volume"));
        assertThat(docker.volumes).containsOnlyKeys("foreign");
    }

    @Test
    void aDockerVolumeOfAVersionNameThatIsNotOursIsLeftAlone() {
        threeVersions();
        docker.volumes.put("data-2", summary("data-2", Map.of(ManagedLabels.OWNER, "/another-service", ManagedLabels.VOLUME, "data")));

        lifecycle.delete("data", ALICE);

        assertThat(docker.removed).containsExactly("data-1", "data-3");
        assertThat(docker.volumes).containsOnlyKeys("data-2");
        assertThat(repo.find("data")).isEmpty();
    }

    @Test
    void aDockerFailurePartWayKeepsTheRecordToRetryWith() {
        threeVersions();
        docker.failRemove.put("data-2", new EngineException(500, "device busy", null));

        assertThatThrownBy(() -> lifecycle.delete("data", ALICE)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_DELETE_FAILED);
            assertThat(e.getMessage()).isEqualTo("failed to delete volume 'data' (Docker volume data-2): device busy");
        });
        assertThat(docker.removed).containsExactly("data-1");
        assertThat(repo.require("data").record().version()).isEqualTo(3);

        docker.failRemove.put("data-2", new EngineException(409, "volume is in use", null));
        assertThatThrownBy(() -> lifecycle.delete("data", ALICE))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_IN_USE));
        assertThat(repo.find("data")).isPresent();

        docker.failRemove.clear();
        lifecycle.delete("data", ALICE);
        assertThat(docker.removed).containsExactly("data-1", "data-2", "data-3");
        assertThat(repo.find("data")).isEmpty();
    }

    @Test
    void anotherTenantsVolumeIsNotFoundAndLeftAsItIs() {
        threeVersions();
        Map<String, String> before = store.snapshot();

        assertThatThrownBy(() -> lifecycle.delete("data", BOB)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("volume 'data' does not exist");
        });
        assertThatThrownBy(() -> repo.require("data", BOB)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_NOT_FOUND));
        assertThatThrownBy(() -> lifecycle.delete("nothing", ALICE)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_NOT_FOUND);
            assertThat(e.getMessage()).as("the same answer as a name nobody has").isEqualTo("volume 'nothing' does not exist");
        });

        assertThat(docker.removed).isEmpty();
        assertThat(store.snapshot()).isEqualTo(before);

        lifecycle.delete("data", Caller.ADMIN);
        assertThat(repo.find("data")).as("the admin's to delete").isEmpty();
    }

    @Test
    void aVolumeAnotherNodeHoldsIsRefusedWith1094AndNothingChanges() {
        threeVersions();
        onNode("b");
        Map<String, String> before = store.snapshot();

        assertThatThrownBy(() -> lifecycle.delete("data", ALICE)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_THIS_NODE);
            assertThat(e.code().code()).isEqualTo(1094);
            assertThat(e.getMessage()).contains("volume 'data' is on node 'b'");
        });
        assertThatThrownBy(() -> repo.require("data", ALICE)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_THIS_NODE));
        // another tenant learns nothing about where it is
        assertThatThrownBy(() -> repo.require("data", BOB)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_NOT_FOUND));
        assertThat(repo.requireVisible("data", ALICE).record().node()).as("a history still reads it").isEqualTo("b");

        assertThat(docker.removed).isEmpty();
        assertThat(docker.volumes).containsKeys("data-1", "data-2", "data-3");
        assertThat(store.snapshot()).isEqualTo(before);
    }

    @Test
    void aVolumeRecordedBeforeNodesIsActedOnAsBefore() {
        threeVersions();
        onNode(null);

        lifecycle.delete("data", ALICE);

        assertThat(repo.find("data")).isEmpty();
        assertThat(docker.removed).containsExactly("data-1", "data-2", "data-3");
    }

    // --- helpers

    /** Rewrites the volume's record as if node {@code node} held it (null: a record from before nodes). */
    private void onNode(String node) {
        VolumeRecord r = repo.require("data").record();
        VolumeRecord moved = new VolumeRecord(r.name(), r.version(), r.sizeBytes(), r.size(), r.sizeEnforced(), r.createTime(), r.updateTime(),
                r.tenant(), node);
        String key = keys.volumes().record("data");
        assertThat(store.commit(new io.gpudocker.store.Txn().put(key, Json.write(moved)))).isTrue();
    }

    /** alice's data at version 3 (created, resized twice), every version's Docker volume still there. */
    private void threeVersions() {
        lifecycle.create(new VolumeRequests.Create("data", "1GB"), ALICE);
        for (long v = 2; v <= 3; v++) {
            var before = repo.require("data");
            VolumeVersion next = new VolumeVersion("data", v, "data-" + v, v << 30, v + "GB", true, T0, "resize");
            Intent op = operations.begin(Intent.start(Intent.VOLUME, "resize", "data", v));
            docker.volumes.put(next.dockerName(), summary(next.dockerName(), ManagedLabels.volumeVersion(OWNER, "data", v)));
            repo.resize(before, before.record().resized(v, VolumeSize.parse(v + "GB"), true), next, op);
        }
        docker.made.clear();
    }

    private static VolumeSummary summary(String name, Map<String, String> labels) {
        return new VolumeSummary(name, "local", "/var/lib/docker/volumes/" + name + "/_data", labels, Map.of());
    }

    private record Made(Map<String, String> driverOpts, Map<String, String> labels) {}

    /** Docker's volumes: what exists, who mounts what, what was made and removed; a create or remove can be made to fail. */
    private static final class FakeVolumes implements VolumeEngine {
        final Map<String, VolumeSummary> volumes = new LinkedHashMap<>();
        final Map<String, Made> made = new LinkedHashMap<>();
        final List<String> removed = new ArrayList<>();
        final Map<String, List<String>> users = new HashMap<>();
        final Map<String, RuntimeException> failRemove = new HashMap<>();
        RuntimeException failCreate;
        Consumer<String> onCreate = name -> { };

        @Override
        public VolumeSummary createVolume(String name, Map<String, String> driverOpts, Map<String, String> labels) {
            if (failCreate != null) {
                throw failCreate;
            }
            VolumeSummary v = summary(name, Map.copyOf(labels));
            volumes.put(name, v);
            made.put(name, new Made(Map.copyOf(driverOpts), Map.copyOf(labels)));
            onCreate.accept(name);
            return v;
        }

        @Override
        public Optional<VolumeSummary> inspectVolume(String name) {
            return Optional.ofNullable(volumes.get(name));
        }

        @Override
        public void removeVolume(String name) {
            RuntimeException failure = failRemove.get(name);
            if (failure != null) {
                throw failure;
            }
            removed.add(name);
            volumes.remove(name);
        }

        @Override
        public List<VolumeSummary> listVolumesByLabels(Map<String, String> labels) {
            return volumes.values().stream().filter(v -> v.labels().entrySet().containsAll(labels.entrySet())).toList();
        }

        @Override
        public List<String> containersUsingVolume(String name) {
            return users.getOrDefault(name, List.of());
        }
    }
}
