package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementTest {
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/p", "a");
    private final NodeDirectory directory = new NodeDirectory(store, keys);

    private void node(String name, int gpuFree, boolean ready, boolean cordoned) {
        NodeStatus s = new NodeStatus(name, "http://" + name + ":2378", "1", Instant.now(), ready, List.of(), 8, gpuFree, 4, 4, 0, 0, 100, 100);
        store.commit(new Txn().put(keys.node(name), Json.write(s)).put(keys.nodeMember(name), Json.write(new NodeMember(name, s.advertise(), Instant.now(), cordoned))));
    }

    private List<String> order(GdaProperties.Node.Placement policy, int gpus) {
        return new Placement(directory, policy).candidates(gpus).stream().map(NodeStatus::name).toList();
    }

    @Test
    void packTriesTheFullestNodeThatFitsFirstAndSpreadTheEmptiest() {
        node("a", 8, true, false);
        node("b", 3, true, false);
        node("c", 1, true, false);
        node("d", 3, true, false);

        assertThat(order(GdaProperties.Node.Placement.PACK, 2)).containsExactly("b", "d", "a");
        assertThat(order(GdaProperties.Node.Placement.SPREAD, 2)).containsExactly("a", "b", "d");
        assertThat(order(GdaProperties.Node.Placement.PACK, 0)).containsExactly("c", "b", "d", "a");
    }

    @Test
    void cordonedNodesAndNodesNotYetServingAreNeverChosen() {
        node("a", 8, true, true);
        node("b", 4, false, false);
        node("c", 2, true, false);

        assertThat(order(GdaProperties.Node.Placement.PACK, 2)).containsExactly("c");
        assertThatThrownBy(() -> order(GdaProperties.Node.Placement.PACK, 3))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GPU_NOT_ENOUGH))
                .hasMessageContaining("no node has 3 free GPU(s)").hasMessageContaining("2 on node 'c'");
    }

    @Test
    void aNodeWhoseLeaseEndedIsNotAmongTheCandidates() {
        node("a", 8, true, false);
        store.commit(new Txn().delete(keys.node("a")));
        assertThatThrownBy(() -> order(GdaProperties.Node.Placement.PACK, 1)).hasMessageContaining("no node is up");
    }

    @Test
    void aNodeAloneOrNotListedAnswersItselfAndNoNodeHasMoreGpusThanTheLargest() {
        Placement placement = new Placement(directory, GdaProperties.Node.Placement.PACK);
        node("a", 8, true, false);
        assertThat(placement.choose(100)).as("alone: this node's own checks answer").isEmpty();
        node("b", 4, true, false);
        assertThat(placement.choose(2)).extracting(NodeStatus::name).containsExactly("b", "a");
        assertThatThrownBy(() -> placement.choose(9))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GPU_COUNT_INVALID))
                .hasMessageContaining("the largest, 'a', has 8");
        store.commit(new Txn().delete(keys.node("a")));
        assertThat(placement.choose(2)).as("not listed itself (etcd wiped, lease lost)").isEmpty();
    }
}
