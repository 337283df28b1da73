package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.event.EventLog;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ReplicaSetEventsTest {
    private final Keys keys = new Keys("/p", "a");
    private final ReplicaSetEvents hook = new ReplicaSetEvents(new EventLog(null, keys));
    private final ReplicaSetRecord running = new ReplicaSetRecord("x", 1, ReplicaSetState.RUNNING, List.of("GPU-1"), Map.of(), Instant.EPOCH,
            Instant.EPOCH, "alice");

    private JsonNode told(ReplicaSetRecord before, ReplicaSetRecord after, ReplicaSetVersion v) {
        Txn txn = new Txn();
        hook.contribute(txn, before, after, v);
        List<Txn.Op> ops = txn.ops();
        if (ops.isEmpty()) {
            return null;
        }
        assertThat(ops).hasSize(1);
        Txn.Put put = (Txn.Put) ops.get(0);
        assertThat(put.key()).startsWith(keys.events());
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(put.value());
    }

    private static ReplicaSetVersion version(long n, String cause) {
        return new ReplicaSetVersion("x", n, "x-" + n, Instant.EPOCH, cause, null, List.of(), Map.of(), List.of(), 0L, null);
    }

    @Test
    void eachKindOfChangeIsToldOnceWithItsTenantStateAndCause() {
        assertThat(told(null, running, null).path("type").asString()).isEqualTo("created");
        assertThat(told(running, running.stopped(), null).path("type").asString()).isEqualTo("stopped");
        assertThat(told(running, running.inState(ReplicaSetState.PAUSED), null).path("state").asString()).isEqualTo("paused");
        JsonNode rollback = told(running, running.with(2, ReplicaSetState.RUNNING, List.of(), Map.of()), version(2, "rollback to 1"));
        assertThat(rollback.path("type").asString()).isEqualTo("rolled-back");
        assertThat(rollback.path("detail").asString()).isEqualTo("rollback to 1");
        assertThat(rollback.path("version").asLong()).isEqualTo(2);
        assertThat(told(running, running, version(2, "restart")).path("type").asString()).isEqualTo("restarted");
        assertThat(told(running, running, version(2, "patch")).path("type").asString()).isEqualTo("updated");
        JsonNode deleted = told(running, null, null);
        assertThat(deleted.path("type").asString()).isEqualTo("deleted");
        assertThat(deleted.path("tenant").asString()).isEqualTo("alice");
        assertThat(deleted.path("node").asString()).isEqualTo("local");
        // a write that moves neither state nor version tells nothing
        assertThat(told(running, running.with(1, ReplicaSetState.RUNNING, List.of("GPU-2"), Map.of()), null)).isNull();
    }
}
