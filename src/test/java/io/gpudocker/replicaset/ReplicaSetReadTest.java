package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.EngineUnavailableException;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One instance's read: record and current version in one round trip, Docker asked while it travels. */
class ReplicaSetReadTest {
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("gda-test:latest", 0, List.of(), List.of(), List.of("sleep", "infinity"), List.of());

    /** Counts the store's round trips by kind. */
    private static final class CountingStore extends InMemoryKeyValueStore {
        final List<String> gets = new ArrayList<>();
        int pairs;

        @Override
        public synchronized Optional<KeyValue> get(String key) {
            gets.add(key);
            return super.get(key);
        }

        @Override
        public synchronized Pending<WithLast> getWithLast(String key, String prefix) {
            pairs++;
            List<KeyValue> under = super.list(prefix);
            WithLast read = new WithLast(super.get(key), under.isEmpty() ? Optional.empty() : Optional.of(under.get(under.size() - 1)));
            return () -> read;
        }
    }

    private final CountingStore store = new CountingStore();
    private final Keys keys = new Keys("/t");
    private final Intents operations = ConfirmedIdentity.operations(store, keys);
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, keys, operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final ReplicaSetQueries queries = new ReplicaSetQueries(repo, engine, new VersionContainers(engine, (volume, tenant) -> true,
            (image, tenant) -> true, new HostPathPolicy(List.of(), null, () -> null), "/t", () -> "test-cluster"), new ProgressBoard(Clock.systemUTC()));

    @Test
    void aReadIsOneRoundTripAndAsksDockerOnceAboutTheContainerTheLastReadFound() {
        create("foo", "alice");
        when(engine.inspect("foo-1")).thenReturn(Optional.of(detail("foo-1", "Up 3 seconds")));
        store.gets.clear();

        ReplicaSetViews.Detail first = queries.get("foo", Caller.tenant("alice"));
        ReplicaSetViews.Detail second = queries.get("foo", Caller.tenant("alice"));

        assertThat(first.containerStatus()).isEqualTo("Up 3 seconds");
        assertThat(second.containerStatus()).isEqualTo("Up 3 seconds");
        assertThat(second.version()).isEqualTo(1);
        assertThat(store.pairs).isEqualTo(2);
        assertThat(store.gets).isEmpty(); // the version came with the record
        verify(engine, times(2)).inspect("foo-1");
    }

    @Test
    void aRecordThatMovedOnIsShownWithItsNewContainerNotTheOneAskedAboutEarly() {
        create("foo", "alice");
        when(engine.inspect("foo-1")).thenReturn(Optional.of(detail("foo-1", "Exited (0)")));
        when(engine.inspect("foo-2")).thenReturn(Optional.of(detail("foo-2", "Up 1 second")));
        queries.get("foo", Caller.tenant("alice"));
        store.commit(new Txn().put(keys.replicaSets().record("foo"), Json.write(record("foo", 2, "alice")))
                .put(keys.replicaSets().version("foo", 2), Json.write(version("foo", 2))));

        ReplicaSetViews.Detail read = queries.get("foo", Caller.tenant("alice"));

        assertThat(read.version()).isEqualTo(2);
        assertThat(read.containerName()).isEqualTo("foo-2");
        assertThat(read.containerStatus()).isEqualTo("Up 1 second");
        assertThat(queries.get("foo", Caller.tenant("alice")).containerStatus()).isEqualTo("Up 1 second");
        verify(engine, times(2)).inspect("foo-2");
    }

    @Test
    void aNewerVersionThanTheRecordsIsNotTakenForItsCurrentOne() {
        create("foo", "alice");
        // a version written beside a record still at 1 (a writer caught mid-way): the record's own version is shown
        store.commit(new Txn().put(keys.replicaSets().version("foo", 2), Json.write(version("foo", 2))));
        when(engine.inspect(anyString())).thenReturn(Optional.empty());
        store.gets.clear();

        ReplicaSetViews.Detail read = queries.get("foo", Caller.ADMIN);

        assertThat(read.version()).isEqualTo(1);
        assertThat(read.containerName()).isEqualTo("foo-1");
        assertThat(read.containerStatus()).isEqualTo("missing");
        assertThat(store.gets).containsExactly(keys.replicaSets().version("foo", 1));
    }

    @Test
    void anotherTenantsNameIsRefusedAsMissingEvenWhenDockerFailsMeanwhile() {
        create("foo", "alice");
        when(engine.inspect("foo-1")).thenReturn(Optional.of(detail("foo-1", "Up 3 seconds")));
        queries.get("foo", Caller.tenant("alice"));
        when(engine.inspect("foo-1")).thenThrow(new EngineUnavailableException("the Docker engine is unreachable", null));

        assertThatThrownBy(() -> queries.get("foo", Caller.tenant("bob")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REPLICASET_NOT_FOUND));
        assertThatThrownBy(() -> queries.get("foo", Caller.tenant("alice"))).isInstanceOf(EngineUnavailableException.class);
    }

    @Test
    void aNameNeverReadAsksDockerOnlyAfterEtcdFoundIt() {
        assertThatThrownBy(() -> queries.get("nothing", Caller.ADMIN))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REPLICASET_NOT_FOUND));
        verify(engine, never()).inspect(anyString());
    }

    private void create(String name, String tenant) {
        repo.create(record(name, 1, tenant), version(name, 1), null);
    }

    private static ReplicaSetRecord record(String name, long version, String tenant) {
        return new ReplicaSetRecord(name, version, ReplicaSetState.RUNNING, List.of(), Map.of(), Instant.now(), Instant.now(), tenant, List.of(), 0L,
                "local", "gda-test:latest");
    }

    private static ReplicaSetVersion version(String name, long version) {
        return new ReplicaSetVersion(name, version, name + "-" + version, Instant.now(), "create", SPEC, List.of(), Map.of());
    }

    private static ContainerDetail detail(String name, String status) {
        return ContainerDetail.of(new ContainerSummary("id-" + name, name, status, status.startsWith("Up"), false, Map.of()));
    }
}
