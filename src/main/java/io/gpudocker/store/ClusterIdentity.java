package io.gpudocker.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This deployment's identity in etcd ({@code <prefix>/apis/v1/cluster}), written once and confirmed at start.
 * Every intent is written under a guard that the identity is still the confirmed one, and the reconcile and
 * the janitor act only while it is: an etcd wiped or replaced under a running service makes them stop.
 */
public class ClusterIdentity {
    private static final Logger log = LoggerFactory.getLogger(ClusterIdentity.class);

    private final KeyValueStore store;
    private final String key;
    private final String where;
    private final AtomicBoolean lost = new AtomicBoolean();
    private volatile KeyValue confirmed;

    /** @param where the etcd endpoints and prefix, for messages */
    public ClusterIdentity(KeyValueStore store, Keys keys, String where) {
        this.store = store;
        this.key = keys.cluster();
        this.where = where;
    }

    public Optional<Cluster> read() {
        return store.get(key).map(kv -> Json.read(kv.value(), Cluster.class));
    }

    /** Writes {@code fresh} unless etcd already holds an identity; returns the one etcd holds afterwards. */
    public Cluster createIfAbsent(Cluster fresh) {
        store.commit(new Txn().requireAbsent(key).put(key, Json.write(fresh)));
        return read().orElseThrow(() -> new StoreUnavailableException("the cluster id written to " + where + " is not there", null));
    }

    /** Adds the ids of objects a recovery rebuilt records for; false if the identity changed meanwhile. */
    public boolean adopt(List<String> ids) {
        Optional<KeyValue> kv = store.get(key);
        if (kv.isEmpty()) {
            return false;
        }
        Cluster after = Json.read(kv.get().value(), Cluster.class).adopting(ids);
        return store.commit(new Txn().requireModRevision(key, kv.get().modRevision()).put(key, Json.write(after)));
    }

    /** Takes the identity etcd holds now as this service's own, for as long as it runs. */
    public Cluster confirm() {
        KeyValue kv = store.get(key).orElseThrow(() -> new IllegalStateException("no cluster id in " + where + " to confirm"));
        confirmed = kv;
        lost.set(false);
        return Json.read(kv.value(), Cluster.class);
    }

    public boolean isConfirmed() { return confirmed != null; }

    /** The confirmed identity; only called once the start-up checks passed. */
    public Cluster cluster() {
        return Json.read(confirmedValue(), Cluster.class);
    }

    /** Adds the guard that etcd still holds the confirmed identity, so no write lands in a wiped or replaced etcd. */
    public Txn guard(Txn txn) {
        return txn.requireValue(key, confirmedValue());
    }

    private String confirmedValue() {
        KeyValue kv = confirmed;
        if (kv == null) {
            throw new IllegalStateException("the cluster id is not confirmed yet");
        }
        return kv.value();
    }

    /** Refusal of a write whose identity guard failed. */
    public StoreUnavailableException lostError() {
        return new StoreUnavailableException("etcd " + where + " no longer holds this deployment's cluster id (wiped or replaced?); nothing was changed. "
                + "Restart the service: it checks what etcd and Docker hold and says how to recover", null);
    }

    /**
     * Whether etcd still holds the confirmed identity. While it does not, the reconcile and the janitor remove
     * nothing; the change is logged once each way.
     */
    public boolean holds() {
        KeyValue kv = confirmed;
        if (kv == null) {
            return false;
        }
        boolean holds = store.get(key).map(now -> now.value().equals(kv.value())).orElse(false);
        if (!holds && lost.compareAndSet(false, true)) {
            log.warn("etcd {} no longer holds this deployment's cluster id {} (wiped or replaced?): the reconcile and the volume janitor "
                    + "remove nothing until it is back; restart the service to check and recover", where, cluster().id());
        } else if (holds && lost.compareAndSet(true, false)) {
            log.info("etcd {} holds this deployment's cluster id {} again; the reconcile and the volume janitor resume", where, cluster().id());
        }
        return holds;
    }
}
