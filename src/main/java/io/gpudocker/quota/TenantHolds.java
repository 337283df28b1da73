package io.gpudocker.quota;

import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.NodeLease;
import io.gpudocker.store.Txn;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a tenant holds that no record of its own counts: its open executes and terminals, and its committed images.
 * Each is one etcd key under the tenant ({@code quota/<resource>/<tenant>/held/<node>/<id>}), so every node of a
 * cluster counts the same. A take reads the tenant's keys and writes its own with a guard on the tenant's
 * {@code guard} key, which it moves too: of two takes (on one node or two) that read the same count only the first
 * commits; the second reads again and is refused over quota. Sessions' keys live under the node's lease, so a node
 * that crashed leaves none once its lease runs out; images' keys last until the image goes.
 */
public class TenantHolds {
    private static final Logger log = LoggerFactory.getLogger(TenantHolds.class);
    private static final int ATTEMPTS = 50;

    private final KeyValueStore store;
    private final Keys keys;
    private final NodeLease lease;

    public TenantHolds(KeyValueStore store, Keys keys, NodeLease lease) {
        this.store = store;
        this.keys = keys;
        this.lease = lease;
    }

    /** One key held; closing it (any number of times) removes it. */
    public final class Hold implements AutoCloseable {
        private final Resource resource;
        private final String tenant;
        private final String key;
        private volatile boolean released;

        private Hold(Resource resource, String tenant, String key) {
            this.resource = resource;
            this.tenant = tenant;
            this.key = key;
        }

        public String key() { return key; }

        @Override
        public void close() {
            if (!released) {
                released = true;
                release(resource, tenant, key);
            }
        }
    }

    /** The tenant's keys and its guard as one range read. */
    record Standing(List<KeyValue> held, Optional<KeyValue> guard) {}

    Standing read(Resource r, String tenant) {
        String base = keys.tenantHolds(r.key(), tenant);
        List<KeyValue> held = new ArrayList<>();
        Optional<KeyValue> guard = Optional.empty();
        for (KeyValue kv : store.list(base)) {
            if (kv.key().equals(base + "guard")) {
                guard = Optional.of(kv);
            } else if (kv.key().startsWith(base + "held/")) {
                held.add(kv);
            }
        }
        return new Standing(held, guard);
    }

    /** How many the tenant holds on every node. */
    public long count(Resource r, String tenant) {
        return read(r, tenant).held().size();
    }

    /** The ids of what the tenant holds on this node. */
    public List<String> heldHere(Resource r, String tenant) {
        String here = keys.tenantHold(r.key(), tenant, "");
        return read(r, tenant).held().stream().map(KeyValue::key).filter(k -> k.startsWith(here)).map(k -> k.substring(here.length())).toList();
    }

    /** The tenants that hold something of {@code r} on this node. */
    public java.util.Set<String> tenantsHere(Resource r) {
        String base = keys.holds(r.key());
        String here = "/held/" + keys.node() + "/";
        java.util.Set<String> tenants = new java.util.TreeSet<>();
        for (String key : store.keys(base)) {
            String rest = key.substring(base.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && rest.startsWith(here, slash)) {
                tenants.add(rest.substring(0, slash));
            }
        }
        return tenants;
    }

    /** Refuses (1100) where the tenant holds {@code limit} already, taking nothing; null: no limit. */
    public void requireRoom(Resource r, String tenant, Long limit) {
        if (limit != null) {
            refuseOver(r, tenant, limit, read(r, tenant).held().size());
        }
    }

    /**
     * Takes the key {@code id} on this node for {@code tenant}, or refuses (1100) where that makes more than {@code limit}
     * (null: no limit). Empty where the tenant holds that key already (nothing is taken twice).
     *
     * @param leased under the node's lease (a session), or lasting until released (an image)
     */
    public Optional<Hold> take(Resource r, String tenant, Long limit, String id, boolean leased) {
        String key = keys.tenantHold(r.key(), tenant, id);
        String guardKey = keys.tenantHolds(r.key(), tenant) + "guard";
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Standing s = read(r, tenant);
            if (s.held().stream().anyMatch(kv -> kv.key().equals(key))) {
                return Optional.empty();
            }
            if (limit != null) {
                refuseOver(r, tenant, limit, s.held().size());
            }
            long on = leased ? lease.current() : 0;
            Txn txn = new Txn();
            if (s.guard().isPresent()) {
                txn.requireModRevision(guardKey, s.guard().get().modRevision());
            } else {
                txn.requireAbsent(guardKey);
            }
            txn.requireAbsent(key).putLeased(guardKey, Integer.toString(s.held().size() + 1), on).putLeased(key, keys.node(), on);
            if (store.commit(txn)) {
                return Optional.of(new Hold(r, tenant, key));
            }
        }
        throw new IllegalStateException("quota " + r.key() + " of tenant " + tenant + ": the count kept moving; try again");
    }

    /** A hold of a key this node took before (e.g. an image committed before a restart), to release it. */
    public Hold held(Resource r, String tenant, String id) {
        return new Hold(r, tenant, keys.tenantHold(r.key(), tenant, id));
    }

    private static void refuseOver(Resource r, String tenant, long limit, long used) {
        if (used + 1 > limit) {
            throw QuotaLedger.exceeded(tenant, r, limit, used, "1");
        }
    }

    /**
     * Removes the key, and the tenant's guard with the last one, unless a take moved it meanwhile: nothing of a tenant
     * that holds nothing stays in etcd. A release that fails is logged: a session's key still goes with the node's
     * lease, an image's when the node next counts its images (see the images quota).
     */
    private void release(Resource r, String tenant, String key) {
        try {
            store.commit(new Txn().delete(key));
            Standing s = read(r, tenant);
            if (s.held().isEmpty() && s.guard().isPresent()) {
                store.commit(new Txn().requireModRevision(s.guard().get().key(), s.guard().get().modRevision()).delete(s.guard().get().key()));
            }
        } catch (RuntimeException e) {
            log.warn("quota {} of tenant {}: {} not released now ({}); it goes with the node's lease or its next count", r.key(), tenant, key,
                    e.getMessage());
        }
    }
}
