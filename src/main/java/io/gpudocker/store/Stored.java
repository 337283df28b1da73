package io.gpudocker.store;

/** A record as read, with the revision a later write must still find (compare-and-swap). */
public record Stored<R>(R record, long modRevision) {}
