package io.gpudocker.resource.port;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * Hands out host ports from the configured range, lowest first, skipping ports some other process on the
 * host has bound. In-memory view; the durable allocations live in etcd with each replicaset's record.
 */
public class PortScheduler {
    private final PortRange range;
    private final IntPredicate boundOnHost;
    private final TreeMap<Integer, String> holders = new TreeMap<>();

    public PortScheduler(PortRange range) {
        this(range, PortScheduler::isBound);
    }

    public PortScheduler(PortRange range, IntPredicate boundOnHost) {
        this.range = range;
        this.boundOnHost = boundOnHost;
    }

    public synchronized void load(Map<Integer, String> allocations) {
        holders.clear();
        holders.putAll(allocations);
    }

    /** Reserves {@code count} ports for {@code holder}, preferring {@code wanted} ones where they are free. */
    public synchronized List<Integer> reserve(String holder, int count, List<Integer> wanted) {
        List<Integer> result = new ArrayList<>();
        for (Integer p : wanted) {
            if (result.size() < count && range.contains(p) && (holder.equals(holders.get(p)) || (!holders.containsKey(p) && !boundOnHost.test(p)))) {
                result.add(p);
            }
        }
        for (int p = range.first(); p <= range.last() && result.size() < count; p++) {
            if (!holders.containsKey(p) && !result.contains(p) && !boundOnHost.test(p)) {
                result.add(p);
            }
        }
        if (result.size() < count) {
            throw ApiException.of(ErrorCode.PORT_NOT_ENOUGH, "asked for %d host port(s) for '%s' but only %d are free in range %s",
                    count, holder, result.size(), range);
        }
        result.forEach(p -> holders.put(p, holder));
        return result;
    }

    public synchronized void release(String holder, Collection<Integer> ports) {
        for (Integer p : ports) {
            holders.remove(p, holder);
        }
    }

    public synchronized Map<Integer, String> allocations() { return new TreeMap<>(holders); }

    public synchronized int freeCount() {
        return range.size() - (int) holders.keySet().stream().filter(range::contains).count();
    }

    public PortRange range() { return range; }

    static boolean isBound(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("0.0.0.0", port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
