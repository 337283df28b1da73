package io.gpudocker.store;

/** For tests on a store stand-in: a deployment identity written and confirmed, and operations guarded by it. */
public final class ConfirmedIdentity {
    private ConfirmedIdentity() {}

    public static Intents operations(KeyValueStore store, Keys keys) {
        ClusterIdentity identity = new ClusterIdentity(store, keys, "test store");
        identity.createIfAbsent(Cluster.fresh());
        identity.confirm();
        return new Intents(store, keys, identity);
    }
}
