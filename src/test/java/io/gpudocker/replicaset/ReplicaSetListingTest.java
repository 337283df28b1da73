package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import io.gpudocker.api.Caller;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.Txn;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The instance list: read from the records alone, built again only when a record changed, tagged by their stamp. */
class ReplicaSetListingTest {
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("gda-test:latest", 0, List.of(), List.of(), List.of("sleep", "infinity"), List.of());

    /** Counts the reads of one key, so a test sees which reads a list makes. */
    private static final class CountingStore extends InMemoryKeyValueStore {
        final List<String> gets = new ArrayList<>();
        int lists;

        @Override
        public synchronized Optional<KeyValue> get(String key) {
            gets.add(key);
            return super.get(key);
        }

        @Override
        public synchronized List<KeyValue> list(String prefix) {
            lists++;
            return super.list(prefix);
        }
    }

    private final CountingStore store = new CountingStore();
    private final Keys keys = new Keys("/t");
    private final Intents operations = ConfirmedIdentity.operations(store, keys);
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, keys, operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final ProgressBoard progress = new ProgressBoard(Clock.systemUTC());
    private final ReplicaSetQueries queries = new ReplicaSetQueries(repo, engine, new VersionContainers(engine, (volume, tenant) -> true,
            (image, tenant) -> true, new HostPathPolicy(List.of(), null, () -> null), "/t", () -> "test-cluster"), progress);

    @Test
    void theListReadsNoVersionOfARecordThatCarriesItsImageAndOneOfAnOlderRecord() {
        create("foo", "alice", "gda-test:latest");
        store.commit(new Txn().put(keys.replicaSets().record("old"), Json.write(new ReplicaSetRecord("old", 1, ReplicaSetState.RUNNING, List.of(),
                Map.of(), Instant.now(), Instant.now(), "alice", List.of(), 0L, "local"))).put(keys.replicaSets().version("old", 1),
                Json.write(version("old"))));
        store.gets.clear();

        List<ReplicaSetViews.Summary> list = queries.listing(Caller.ADMIN).items();

        assertThat(list).extracting(ReplicaSetViews.Summary::image).containsExactly("gda-test:latest", "gda-test:latest");
        assertThat(store.gets).containsExactly(keys.replicaSets().version("old", 1));
    }

    @Test
    void anUnchangedListIsNotReadAgainAndAnyChangeMovesItsTag() {
        create("foo", "alice", "a:1");
        create("bar", "bob", "b:1");
        ReplicaSetQueries.Listing first = queries.listing(Caller.tenant("alice"));
        int lists = store.lists;

        ReplicaSetQueries.Listing again = queries.listing(Caller.tenant("alice"));
        assertThat(again.etag()).isEqualTo(first.etag()).isNotNull();
        assertThat(again.items()).extracting(ReplicaSetViews.Summary::name).containsExactly("foo");
        assertThat(store.lists).isEqualTo(lists);
        assertThat(queries.listing(Caller.ADMIN).etag()).isNotEqualTo(first.etag());

        create("baz", "bob", "c:1"); // another tenant's: the stamp moves all the same, the list is read again
        ReplicaSetQueries.Listing afterCreate = queries.listing(Caller.tenant("alice"));
        assertThat(afterCreate.etag()).isNotEqualTo(first.etag());
        store.commit(new Txn().delete(keys.replicaSets().record("bar")));
        ReplicaSetQueries.Listing afterDelete = queries.listing(Caller.tenant("alice"));
        assertThat(afterDelete.etag()).isNotIn(first.etag(), afterCreate.etag());
        assertThat(queries.listing(Caller.ADMIN).items()).extracting(ReplicaSetViews.Summary::name).containsExactly("baz", "foo");
    }

    @Test
    void whileAnUpdateRunsHereTheListIsBuiltEachTimeAndLeftToBeTaggedByItsContent() {
        create("foo", "alice", "a:1");
        try (ProgressBoard.Tracker t = progress.begin(ReplicaSetViews.progressKey("foo"), "patch")) {
            ReplicaSetQueries.Listing during = queries.listing(Caller.ADMIN);
            assertThat(during.etag()).isNull();
            assertThat(during.items().get(0).progress()).isNotNull();
        }
        assertThat(queries.listing(Caller.ADMIN).etag()).isNotNull();
    }

    private void create(String name, String tenant, String image) {
        ReplicaSetVersion v = version(name);
        repo.create(new ReplicaSetRecord(name, 1, ReplicaSetState.RUNNING, List.of(), Map.of(), Instant.now(), Instant.now(), tenant, List.of(), 0L,
                "local", image), v, null);
    }

    private static ReplicaSetVersion version(String name) {
        return new ReplicaSetVersion(name, 1, name + "-1", Instant.now(), "create", SPEC, List.of(), Map.of());
    }
}
