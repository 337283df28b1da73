package io.gpudocker.common;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Callers that ask the same question at the same moment share one answer: the first runs the lookup, those that
 * arrive while it runs wait for it (32 creates of one image ask the daemon about the image once, not 32 times).
 * Only a found answer is shared. A caller whose shared lookup found nothing, or failed, asks again itself, for that
 * lookup may have begun before what it looks for appeared (an image committed an instant ago).
 *
 * @param <K> what is looked up
 * @param <V> what is found
 */
public class SharedLookups<K, V> {
    private final ConcurrentHashMap<K, CompletableFuture<Optional<V>>> running = new ConcurrentHashMap<>();

    public Optional<V> find(K key, Supplier<Optional<V>> lookup) {
        CompletableFuture<Optional<V>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<V>> shared = running.putIfAbsent(key, mine);
        if (shared == null) {
            try {
                Optional<V> found = lookup.get();
                mine.complete(found);
                return found;
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                running.remove(key, mine);
            }
        }
        Optional<V> found = shared.handle((v, e) -> e == null ? v : Optional.<V>empty()).join();
        return found.isPresent() ? found : lookup.get();
    }

    /** How many lookups run now. */
    int running() {
        return running.size();
    }
}
