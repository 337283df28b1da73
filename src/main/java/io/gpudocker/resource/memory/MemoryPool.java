package io.gpudocker.resource.memory;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ByteSizes;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The memory instances may be limited to, in all: each holder's hard limit is taken from this pool, so the limits
 * never add up to more than the host can back. The in-memory view; the durable record is each replicaset's
 * etcd record, from which it is rebuilt at start.
 */
public class MemoryPool {
    private final long total;
    private final Map<String, Long> holders = new HashMap<>();

    /** @param total bytes the limits may add up to */
    public MemoryPool(long total) {
        this.total = total;
    }

    public synchronized void load(Map<String, Long> allocations) {
        holders.clear();
        allocations.forEach((holder, bytes) -> {
            if (bytes > 0) {
                holders.put(holder, bytes);
            }
        });
    }

    public long total() { return total; }

    public synchronized long free() {
        return Math.max(0, total - holders.values().stream().mapToLong(Long::longValue).sum());
    }

    public synchronized Map<String, Long> allocations() { return new TreeMap<>(holders); }

    /**
     * Makes {@code holder}'s share {@code bytes} (0: none), its current share counting as free for it.
     *
     * @return the share it had, for {@link #restore} if the operation fails
     */
    public synchronized long reserve(String holder, long bytes) {
        long had = holders.getOrDefault(holder, 0L);
        long available = free() + had;
        if (bytes > available) {
            throw ApiException.of(ErrorCode.MEMORY_NOT_ENOUGH, "asked for memory %s for '%s' but only %s is free (pool %s%s)",
                    ByteSizes.format(bytes), holder, ByteSizes.format(available), ByteSizes.format(total),
                    had > 0 ? ", counting the " + ByteSizes.format(had) + " it holds" : "");
        }
        restore(holder, bytes);
        return had;
    }

    /** Sets the share back (to what {@link #reserve} returned). */
    public synchronized void restore(String holder, long bytes) {
        if (bytes > 0) {
            holders.put(holder, bytes);
        } else {
            holders.remove(holder);
        }
    }

    public synchronized void release(String holder) {
        holders.remove(holder);
    }
}
