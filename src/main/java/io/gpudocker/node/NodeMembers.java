package io.gpudocker.node;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The lasting membership records: written when a node first joins, changed by cordon and forgotten by an admin's remove. */
public class NodeMembers {
    private static final Logger log = LoggerFactory.getLogger(NodeMembers.class);
    private final KeyValueStore store;
    private final Keys keys;

    public NodeMembers(KeyValueStore store, Keys keys) {
        this.store = store;
        this.keys = keys;
    }

    /** This node joins (first start) or keeps its membership, with its current address (again once the web server's port is known). */
    void join(String advertise) {
        String key = keys.nodeMember(keys.node());
        Optional<KeyValue> existing = store.get(key);
        if (existing.isEmpty()) {
            NodeMember member = new NodeMember(keys.node(), advertise, Instant.now(), false);
            if (store.commit(new Txn().requireAbsent(key).put(key, Json.write(member)))) {
                log.info("node {} joined the cluster (advertised at {})", keys.node(), advertise);
            }
            return;
        }
        NodeMember member = Json.read(existing.get().value(), NodeMember.class);
        if (advertise != null && !advertise.equals(member.advertise())) {
            store.commit(new Txn().requireModRevision(key, existing.get().modRevision()).put(key, Json.write(member.withAdvertise(advertise))));
        }
    }

    /** Whether {@code name} takes new instances; returns the member as changed. */
    NodeMember cordon(String name, boolean cordoned) {
        String key = keys.nodeMember(name);
        KeyValue kv = store.get(key).orElseThrow(() -> unknown(name));
        NodeMember changed = Json.read(kv.value(), NodeMember.class).withCordoned(cordoned);
        if (!store.commit(new Txn().requireModRevision(key, kv.modRevision()).put(key, Json.write(changed)))) {
            throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "node '%s' was changed by another call meanwhile; nothing was changed, retry", name);
        }
        log.info("node {} {}", name, cordoned ? "cordoned: it takes no new instances" : "uncordoned: it takes new instances again");
        return changed;
    }

    /** Forgets a member: only while it is down (its presence key absent, checked in the same transaction). */
    boolean forget(String name) {
        String key = keys.nodeMember(name);
        store.get(key).orElseThrow(() -> unknown(name));
        return store.commit(new Txn().requireAbsent(keys.node(name)).delete(key).delete(keys.drain(name)));
    }

    static ApiException unknown(String name) {
        return ApiException.of(ErrorCode.NODE_UNKNOWN, "no node is called '%s' (GET /api/v1/nodes lists them)", name);
    }
}
