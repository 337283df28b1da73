package io.gpudocker.node;

import io.gpudocker.replicaset.StartupCheck;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A deployment from before nodes becomes this node's: records that name no node are marked as this node's, and the
 * allocation and intent keys of the old single-node layout ({@code ports/<port>}, {@code cpus/<core>},
 * {@code operations/<id>}) move under this node. Runs first of the start-up checks (before the guard counts this node's records), on every start (a no-op once done);
 * each move is its own guarded transaction, so a crash midway leaves the rest for the next start. Start the host that
 * ran the single-node service first when upgrading.
 */
public class LegacyClaim implements StartupCheck, Ordered {
    private static final Logger log = LoggerFactory.getLogger(LegacyClaim.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KeyValueStore store;
    private final Keys keys;

    public LegacyClaim(KeyValueStore store, Keys keys) {
        this.store = store;
        this.keys = keys;
    }

    @Override
    public int getOrder() { return Ordered.HIGHEST_PRECEDENCE; }

    @Override
    public void verify() {
        int records = claimRecords(keys.replicaSets().records()) + claimRecords(keys.volumes().records());
        int moved = move(keys.legacyPorts(), "\\d{1,5}", keys.ports())
                + move(keys.legacyCpus(), "\\d{1,5}", keys.cpus())
                + move(keys.legacyOperations(), "[0-9a-f]{16}", keys.operations());
        if (records + moved > 0) {
            log.info("node {} claimed {} record(s) and {} allocation/intent key(s) of the single-node layout", keys.node(), records, moved);
        }
    }

    private int claimRecords(String prefix) {
        int claimed = 0;
        for (KeyValue kv : store.list(prefix)) {
            JsonNode record;
            try {
                record = JSON.readTree(kv.value());
            } catch (RuntimeException notOurs) {
                continue; // the original project's value under the same key: --import-original adopts those
            }
            if (!(record instanceof ObjectNode object) || !object.path("node").isMissingNode() && !object.path("node").isNull()) {
                continue;
            }
            object.put("node", keys.node());
            if (store.commit(new Txn().requireModRevision(kv.key(), kv.modRevision()).put(kv.key(), JSON.writeValueAsString(object)))) {
                claimed++;
            }
        }
        return claimed;
    }

    /** Moves the keys directly under {@code legacy} whose last part matches {@code pattern} to the same name under {@code perNode}. */
    private int move(String legacy, String pattern, String perNode) {
        int moved = 0;
        for (KeyValue kv : store.list(legacy)) {
            String rest = kv.key().substring(legacy.length());
            if (!rest.matches(pattern)) {
                continue; // a per-node key, or a key of the original project's layout (left as it is)
            }
            if (store.commit(new Txn().requireValue(kv.key(), kv.value()).delete(kv.key()).put(perNode + rest, kv.value()))) {
                moved++;
            }
        }
        return moved;
    }
}
