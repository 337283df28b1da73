package io.gpudocker.store;

/**
 * One key as read from the store, with the revision it was last modified at (for compare-and-swap) and the lease it
 * lives under (0: none).
 */
public record KeyValue(String key, String value, long modRevision, long lease) {
    public KeyValue(String key, String value, long modRevision) {
        this(key, value, modRevision, 0);
    }
}
