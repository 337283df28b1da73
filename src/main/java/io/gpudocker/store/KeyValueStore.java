package io.gpudocker.store;

import java.util.List;
import java.util.Optional;

/** What the service needs of etcd: reads by key or prefix, and guarded atomic writes. */
public interface KeyValueStore {

    Optional<KeyValue> get(String key);

    /** What {@link #getWithLast} read: the key's value, and the last key under the prefix (in key order). */
    record WithLast(Optional<KeyValue> value, Optional<KeyValue> last) {}

    /** A read sent off: {@link #await} waits for its answer, bounded as every read is. */
    interface Pending<T> {
        T await();
    }

    /**
     * The value at {@code key} and the last key under {@code prefix}, both at one revision and in one round trip; sent
     * at once, so the caller may do other work while it travels. The default reads them one after the other.
     */
    default Pending<WithLast> getWithLast(String key, String prefix) {
        List<KeyValue> under = list(prefix);
        WithLast read = new WithLast(get(key), under.isEmpty() ? Optional.empty() : Optional.of(under.get(under.size() - 1)));
        return () -> read;
    }

    /** Every key under the prefix, sorted by key, in one round trip. */
    List<KeyValue> list(String prefix);

    /** Every key under the prefix, sorted, without values: for counting and trimming records. */
    default List<String> keys(String prefix) {
        return list(prefix).stream().map(KeyValue::key).toList();
    }

    /**
     * Every key from {@code fromKey} (included) to {@code toKey} (excluded), sorted by key, in one round trip;
     * both must lie under {@code prefix}. The default reads the whole prefix and keeps the range.
     */
    default List<KeyValue> range(String prefix, String fromKey, String toKey) {
        return list(prefix).stream().filter(kv -> kv.key().compareTo(fromKey) >= 0 && kv.key().compareTo(toKey) < 0).toList();
    }

    /** The stamp of what lies under the prefix, without reading it: one small round trip. */
    default PrefixStamp stamp(String prefix) {
        List<KeyValue> all = list(prefix);
        return new PrefixStamp(all.size(), all.stream().mapToLong(KeyValue::modRevision).max().orElse(0));
    }

    /** As {@link #list}, with the revision of the store the read saw (where a watch of the prefix starts). */
    Listing listAt(String prefix);

    /**
     * Reports every change under {@code prefix} from revision {@code fromRevision} on, until the returned handle is
     * closed or the listener is told the watch ended ({@link ChangeListener#compacted}, {@link ChangeListener#broken}).
     */
    Watching watch(String prefix, long fromRevision, ChangeListener listener);

    /** Applies the transaction atomically; false when a guard did not hold (nothing was written). */
    boolean commit(Txn txn);

    void ping();

    /** A new lease of {@code ttl}; keys put under it vanish when it is neither renewed nor revoked in time. */
    long grantLease(java.time.Duration ttl);

    /** Renews the lease; false when etcd no longer knows it (it expired). */
    boolean renewLease(long lease);

    /** Ends the lease now, removing its keys; a lease etcd no longer knows is no error. */
    void revokeLease(long lease);
}
