package io.gpudocker.store;

import java.util.List;

/**
 * Intents of operations in etcd ({@code <prefix>/apis/v1/operations/<node>/<id>}): written before an operation
 * creates a Docker object, dropped by the transaction that commits it. They are the only proof the reconcile
 * and the janitor accept that an object was never committed.
 */
public class Intents {
    private final KeyValueStore store;
    private final Keys keys;
    private final ClusterIdentity identity;

    public Intents(KeyValueStore store, Keys keys, ClusterIdentity identity) {
        this.store = store;
        this.keys = keys;
        this.identity = identity;
    }

    /** Writes the intent on its own, before anything is created; refused once etcd lost this deployment's identity. */
    public Intent begin(Intent op) {
        if (!store.commit(record(new Txn(), op))) {
            throw identity.lostError();
        }
        return op;
    }

    /** Adds the intent to {@code txn} (a delete writes it with forgetting the record), guarded by the identity. */
    public Txn record(Txn txn, Intent op) {
        return identity.guard(txn).requireAbsent(keys.operation(op.id())).put(keys.operation(op.id()), Json.write(op));
    }

    /** Adds dropping the intent to the transaction that commits the operation. */
    public Txn finish(Txn txn, Intent op) {
        return op == null ? txn : txn.delete(keys.operation(op.id()));
    }

    /** Drops an intent once what it proves uncommitted is gone (or was never made). */
    public void drop(Intent op) {
        store.commit(new Txn().delete(keys.operation(op.id())));
    }

    public List<Intent> all() {
        return store.list(keys.operations()).stream().map(kv -> Json.read(kv.value(), Intent.class)).toList();
    }

    /** The intents of one object, e.g. every unfinished operation of replicaset {@code foo}. */
    public List<Intent> of(String kind, String name) {
        return all().stream().filter(o -> o.concerns(kind, name)).toList();
    }
}
