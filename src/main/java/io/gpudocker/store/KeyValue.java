package io.gpudocker.store;

/** One key as read from the store, with the revision it was last modified at (for compare-and-swap). */
public record KeyValue(String key, String value, long modRevision) {}
