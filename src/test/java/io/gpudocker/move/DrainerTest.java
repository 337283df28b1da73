package io.gpudocker.move;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.api.Caller;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.node.DrainStatus;
import io.gpudocker.node.NodeDirectory;
import io.gpudocker.node.NodeMember;
import io.gpudocker.node.NodeQueries;
import io.gpudocker.node.NodeStatus;
import io.gpudocker.node.Placement;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Stored;
import io.gpudocker.store.Txn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A drain kept in etcd goes on after its node restarts: a fresh Drainer (the restarted process) resumes it from the store. */
class DrainerTest {
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/p", "a");
    private final NodeDirectory directory = new NodeDirectory(store, keys);
    private final NodeQueries nodes = mock(NodeQueries.class);
    private final ReplicaSetRepository repo = mock(ReplicaSetRepository.class);
    private final MoveOut moves = mock(MoveOut.class);
    private final Drainer drainer = new Drainer(directory, nodes, new Placement(directory, GdaProperties.Node.Placement.PACK), repo, moves,
            mock(NodeCalls.class), Clock.systemUTC());

    @Test
    void aDrainStoppedByItsNodesRestartGoesOnWithWhatWasWaitingAndTheNodeCordoned() throws Exception {
        node("a");
        node("b");
        record("done1", "b");
        record("inflight", "b"); // the move running at the crash had committed: its record names b
        record("next", "a");
        Instant started = Instant.parse("2026-12-01T10:00:00Z");
        directory.drainOfSelf(new DrainStatus(DrainStatus.RUNNING, started, null, "inflight", List.of(
                new DrainStatus.Entry("done1", "moved", "b", null),
                new DrainStatus.Entry("inflight", "waiting", null, null),
                new DrainStatus.Entry("next", "waiting", null, null))));
        when(moves.move(eq("next"), any(), any())).thenReturn(new MoveOut.Moved("next", "a", "b", 2, "next-2", Map.of(), false, Map.of(), 0, 0, 0, Map.of()));

        drainer.resume();

        DrainStatus done = awaitDone();
        verify(nodes).cordon("a", true);
        verify(moves).move(eq("next"), eq(new MoveRequests.Move("b", null)), eq(Caller.ADMIN));
        verify(moves, never()).move(eq("done1"), any(), any());
        verify(moves, never()).move(eq("inflight"), any(), any());
        assertThat(done.startedAt()).isEqualTo(started);
        assertThat(done.instances()).containsExactly(
                new DrainStatus.Entry("done1", "moved", "b", null),
                new DrainStatus.Entry("inflight", "moved", "b", null),
                new DrainStatus.Entry("next", "moved", "b", null));
    }

    @Test
    void anInstanceWhoseMoveWasUndoneAtTheRestartIsMovedAgain() throws Exception {
        node("a");
        node("b");
        record("inflight", "a"); // the start-up reconcile undid the move: version N runs here again
        directory.drainOfSelf(new DrainStatus(DrainStatus.RUNNING, Instant.now(), null, "inflight",
                List.of(new DrainStatus.Entry("inflight", "waiting", null, null))));
        when(moves.move(eq("inflight"), any(), any())).thenReturn(new MoveOut.Moved("inflight", "a", "b", 2, "inflight-2", Map.of(), false, Map.of(), 0, 0, 0, Map.of()));

        drainer.resume();

        assertThat(awaitDone().instances()).containsExactly(new DrainStatus.Entry("inflight", "moved", "b", null));
    }

    @Test
    void anInstanceNoOtherNodeHasTheGpusForStaysAndTheDrainSaysWhy() throws Exception {
        node("a", 8, true); // cordoned by the drain: placement offers only b, which has 1 GPU free
        node("b", 1, false);
        ReplicaSetRecord big = record("big", "a", 2);
        when(repo.local()).thenReturn(List.of(big));

        drainer.start(Caller.ADMIN);

        verify(nodes).cordon("a", true);
        assertThat(awaitDone().instances()).containsExactly(new DrainStatus.Entry("big", "stays", null, "no node has 2 free GPU(s): the most free is 1 on node 'b'"));
        verify(moves, never()).move(any(), any(), any());
    }

    @Test
    void aFinishedDrainOrNoneIsNotResumed() {
        drainer.resume();
        directory.drainOfSelf(new DrainStatus(DrainStatus.DONE, Instant.now(), Instant.now(), null, List.of(new DrainStatus.Entry("x", "stays", null, "full"))));
        drainer.resume();
        verify(nodes, never()).cordon(any(), eq(true));
        assertThat(directory.drains().get("a").state()).isEqualTo(DrainStatus.DONE);
    }

    private DrainStatus awaitDone() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            DrainStatus d = directory.drains().get("a");
            if (d != null && DrainStatus.DONE.equals(d.state())) {
                return d;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("drain not done within 10 s: " + directory.drains());
    }

    private void node(String name) {
        node(name, 8, false);
    }

    private void node(String name, int gpuFree, boolean cordoned) {
        NodeStatus s = new NodeStatus(name, "http://" + name + ":2378", "1", Instant.now(), true, List.of(), 8, gpuFree, 4, 4, 0, 0, 100, 100);
        store.commit(new Txn().put(keys.node(name), Json.write(s)).put(keys.nodeMember(name), Json.write(new NodeMember(name, s.advertise(), Instant.now(), cordoned))));
    }

    private ReplicaSetRecord record(String name, String node) {
        return record(name, node, 0);
    }

    private ReplicaSetRecord record(String name, String node, int gpus) {
        List<String> uuids = java.util.stream.IntStream.range(0, gpus).mapToObj(i -> "GPU-" + i).toList();
        ReplicaSetRecord r = new ReplicaSetRecord(name, 1, ReplicaSetState.RUNNING, uuids, Map.of(), Instant.now(), Instant.now(), "admin", List.of(), 0L, node,
                "img");
        when(repo.find(name)).thenReturn(Optional.of(new Stored<>(r, 1)));
        return r;
    }
}
