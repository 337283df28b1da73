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
    /** Every watch opened, in order; a commit reports its changes to the open ones whose prefix they fall under. */
    public final List<Watched> watches = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A watch as opened: what it watches, from where, and whom it tells. */
    public static final class Watched implements Watching {
        public final String prefix;
        public final long fromRevision;
        public final ChangeListener listener;
        private volatile boolean closed;

        Watched(String prefix, long fromRevision, ChangeListener listener) {
            this.prefix = prefix;
            this.fromRevision = fromRevision;
            this.listener = listener;
        }

        public boolean closed() { return closed; }

        @Override
        public void close() { closed = true; }
    }

    /** The open watches of {@code prefix}. */
    public List<Watched> open(String prefix) {
        return watches.stream().filter(w -> !w.closed() && w.prefix.equals(prefix)).toList();
    }

    /** The store's revision: that of its last applied commit. */
    public synchronized long revision() { return revision; }

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

    /** As etcd answers it: the count and latest revision alone, not a read of the keys (so no {@link #list} call). */
    @Override
    public synchronized PrefixStamp stamp(String prefix) {
        requireReadable();
        List<KeyValue> all = data.tailMap(prefix).values().stream().filter(kv -> kv.key().startsWith(prefix)).toList();
        return new PrefixStamp(all.size(), all.stream().mapToLong(KeyValue::modRevision).max().orElse(0));
    }

    @Override
    public synchronized Listing listAt(String prefix) {
        return new Listing(list(prefix), revision);
    }

    @Override
    public synchronized Watching watch(String prefix, long fromRevision, ChangeListener listener) {
        Watched w = new Watched(prefix, fromRevision, listener);
        watches.add(w);
        return w;
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
        List<KeyChange> changes = new java.util.ArrayList<>();
        for (Txn.Op op : txn.ops()) {
            if (op instanceof Txn.Put p) {
                data.put(p.key(), new KeyValue(p.key(), p.value(), revision, p.lease()));
                changes.add(new KeyChange(p.key(), p.value(), revision));
            } else if (op instanceof Txn.Delete d) {
                if (data.remove(d.key()) != null) {
                    changes.add(new KeyChange(d.key(), null, revision));
                }
            } else if (op instanceof Txn.DeletePrefix d) {
                List<String> gone = data.keySet().stream().filter(k -> k.startsWith(d.prefix())).toList();
                gone.forEach(k -> {
                    data.remove(k);
                    changes.add(new KeyChange(k, null, revision));
                });
            }
        }
        for (Watched w : watches) {
            List<KeyChange> seen = changes.stream().filter(c -> c.key().startsWith(w.prefix)).toList();
            if (!w.closed() && !seen.isEmpty()) {
                w.listener.changed(seen);
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
