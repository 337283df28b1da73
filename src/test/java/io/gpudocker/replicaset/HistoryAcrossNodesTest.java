package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.gpudocker.api.Caller;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Keys;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A history answered on the node an instance was moved to says whether the versions left on the other node can be rolled back to. */
class HistoryAcrossNodesTest {
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("gda-test:latest", 0, List.of(), List.of(), List.of("sleep", "infinity"),
            List.of(), null, null, null, true);

    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Intents operations = ConfirmedIdentity.operations(store, new Keys("/t"));
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, new Keys("/t"), operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final VersionContainers containers = new VersionContainers(engine, (volume, tenant) -> true, (image, tenant) -> true,
            new HostPathPolicy(List.of(), null, () -> null), "/t", () -> "test-cluster");
    private final List<String> asked = new ArrayList<>();
    /** The containers of foo on this node. */
    private List<ContainerSummary> here = List.of(container("foo-3"));

    @Test
    void versionsLeftOnTheNodeBeforeTheMoveAreAvailableWhileThatNodeKeepsTheirContainers() {
        recordMovedFromAToB();
        ReplicaSetQueries queries = queries((node, name, caller) -> {
            asked.add(node + "/" + name);
            return Set.of("foo-1", "foo-2");
        });

        List<ReplicaSetViews.HistoryItem> history = queries.history("foo", Caller.ADMIN).history();

        assertThat(history).extracting(ReplicaSetViews.HistoryItem::version).containsExactly(3L, 2L, 1L);
        assertThat(history).extracting(ReplicaSetViews.HistoryItem::snapshotAvailable).containsExactly(true, true, true);
        assertThat(asked).as("one question for the node that holds versions 1 and 2").containsExactly("a/foo");
    }

    @Test
    void aVersionIsNotAvailableWhereItsNodeDoesNotKeepItsContainerEvenIfThisNodeHasOneOfThatName() {
        recordMovedFromAToB();
        // version 1 was pruned on a; this node holds a container named foo-1 only by accident of a name (it is not where version 1 ran)
        here = List.of(container("foo-3"), container("foo-1"));
        ReplicaSetQueries queries = queries((node, name, caller) -> Set.of("foo-2"));

        List<ReplicaSetViews.HistoryItem> history = queries.history("foo", Caller.ADMIN).history();

        assertThat(history).extracting(ReplicaSetViews.HistoryItem::snapshotAvailable).containsExactly(true, true, false);
    }

    @Test
    void aNodeThatCannotAnswerKeepsNothingThatCanBeRolledBackTo() {
        recordMovedFromAToB();

        List<ReplicaSetViews.HistoryItem> history = queries(RemoteSnapshots.NONE).history("foo", Caller.ADMIN).history();

        assertThat(history).extracting(ReplicaSetViews.HistoryItem::snapshotAvailable).containsExactly(true, false, false);
    }

    private ReplicaSetQueries queries(RemoteSnapshots remote) {
        when(engine.listByLabels(any())).thenReturn(here);
        return new ReplicaSetQueries(repo, engine, containers, new ProgressBoard(Clock.systemUTC()), remote);
    }

    /** Versions 1 and 2 made on node a, version 3 here (node "local") by a move; only the causes tell where each ran. */
    private void recordMovedFromAToB() {
        Instant t = Instant.parse("2025-01-01T08:00:00Z");
        ReplicaSetRecord record = new ReplicaSetRecord("foo", 1, ReplicaSetState.RUNNING, List.of(), Map.of(), t, t, "alice", null, null, "local", SPEC.image());
        repo.create(record, new ReplicaSetVersion("foo", 1, "foo-1", t, "create", SPEC, List.of(), Map.of()),
                operations.begin(Intent.start(Intent.REPLICASET, "create", "foo", 1)));
        var stored = repo.require("foo", Caller.ADMIN);
        repo.update(stored, stored.record().with(2, ReplicaSetState.RUNNING, List.of(), Map.of()),
                new ReplicaSetVersion("foo", 2, "foo-2", t.plusSeconds(60), "patch", SPEC, List.of(), Map.of()));
        stored = repo.require("foo", Caller.ADMIN);
        ReplicaSetRecord r = stored.record();
        repo.update(stored, new ReplicaSetRecord("foo", 3, ReplicaSetState.RUNNING, List.of(), Map.of(), r.createTime(), t.plusSeconds(120), r.tenant(),
                        null, null, "local", SPEC.image()),
                new ReplicaSetVersion("foo", 3, "foo-3", t.plusSeconds(120), VersionPlaces.arrivedFrom("a"), SPEC, List.of(), Map.of()));
    }

    private static ContainerSummary container(String name) {
        return new ContainerSummary("id-" + name, name, "running", true, false, ManagedLabels.replicaSetVersion("/t", "foo", Long.parseLong(name.substring(4))));
    }
}
