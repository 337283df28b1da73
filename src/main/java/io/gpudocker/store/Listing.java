package io.gpudocker.store;

import java.util.List;

/** Every key under a prefix, and the store's revision the read saw: a watch from {@code revision + 1} misses nothing after it. */
public record Listing(List<KeyValue> keyValues, long revision) {
    public Listing {
        keyValues = List.copyOf(keyValues);
    }
}
