package io.gpudocker.store;

/** One version of a versioned object: kept as its own key, so history never depends on MVCC revisions. */
public interface Versioned {
    long version();
}
