package io.gpudocker.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A stand-in for etcd in unit tests: guarded transactions applied atomically, with mod revisions. Its commit
 * can be told to lose its answer (apply, then time out) or to fail outright, and its reads to fail.
 */
public class InMemoryKeyValueStore implements KeyValueStore {
    /** What the next commit does. */
    public enum Fault { NONE, APPLY_THEN_TIME_OUT, TIME_OUT_WITHOUT_APPLYING }

    private final TreeMap<String, KeyValue> data = new TreeMap<>();
    private long revision;
    private Fault nextCommit = Fault.NONE;
    private boolean readsFail;
    private final java.util.Set<Long> leases = new java.util.HashSet<>();
    private long lastLease;

    public synchronized void failNextCommit(Fault fault) { this.nextCommit = fault; }

    public synchronized void failReads(boolean fail) { this.readsFail = fail; }

    public synchronized Map<String, String> snapshot() {
        Map<String, String> m = new TreeMap<>();
        data.forEach((k, v) -> m.put(k, v.value()));
        return m;
    }

    @Override
    public synchronized Optional<KeyValue> get(String key) {
        requireReadable();
        return Optional.ofNullable(data.get(key));
    }

    @Override
    public synchronized List<KeyValue> list(String prefix) {
        requireReadable();
        return data.tailMap(prefix).values().stream().filter(kv -> kv.key().startsWith(prefix)).toList();
    }

    @Override
    public synchronized boolean commit(Txn txn) {
        Fault fault = nextCommit;
        nextCommit = Fault.NONE;
        if (fault == Fault.TIME_OUT_WITHOUT_APPLYING) {
            throw timeout();
        }
        boolean applied = apply(txn);
        if (fault == Fault.APPLY_THEN_TIME_OUT) {
            throw timeout();
        }
        return applied;
    }

    @Override
    public void ping() {
        requireReadable();
    }

    @Override
    public synchronized long grantLease(java.time.Duration ttl) {
        long id = ++lastLease;
        leases.add(id);
        return id;
    }

    @Override
    public synchronized boolean renewLease(long lease) {
        return leases.contains(lease);
    }

    @Override
    public synchronized void revokeLease(long lease) {
        expire(lease);
    }

    /** What etcd does when a lease runs out: the lease and every key under it go. */
    public synchronized void expire(long lease) {
        leases.remove(lease);
        data.values().removeIf(kv -> kv.lease() == lease);
    }

    private boolean apply(Txn txn) {
        for (Txn.Guard g : txn.guards()) {
            if (!holds(g)) {
                return false;
            }
        }
        revision++;
        for (Txn.Op op : txn.ops()) {
            if (op instanceof Txn.Put p) {
                data.put(p.key(), new KeyValue(p.key(), p.value(), revision, p.lease()));
            } else if (op instanceof Txn.Delete d) {
                data.remove(d.key());
            } else if (op instanceof Txn.DeletePrefix d) {
                data.keySet().removeIf(k -> k.startsWith(d.prefix()));
            }
        }
        return true;
    }

    private boolean holds(Txn.Guard g) {
        if (g instanceof Txn.Absent a) {
            return !data.containsKey(a.key());
        }
        if (g instanceof Txn.ValueIs v) {
            return data.containsKey(v.key()) && data.get(v.key()).value().equals(v.value());
        }
        Txn.ModRevisionIs m = (Txn.ModRevisionIs) g;
        return data.containsKey(m.key()) && data.get(m.key()).modRevision() == m.revision();
    }

    private void requireReadable() {
        if (readsFail) {
            throw timeout();
        }
    }

    private static StoreUnavailableException timeout() {
        return new StoreUnavailableException("etcd at stand-in did not answer within 2000 ms (write)", null);
    }
}
