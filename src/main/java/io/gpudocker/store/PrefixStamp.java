package io.gpudocker.store;

/**
 * How many keys lie under a prefix and the latest revision any of them was written at. Any change under the prefix
 * moves it: a write raises the revision past every earlier one, and a delete lowers the count (a delete after a write
 * it undoes leaves exactly the keys, and the stamp, there were before).
 */
public record PrefixStamp(long count, long maxModRevision) {}
