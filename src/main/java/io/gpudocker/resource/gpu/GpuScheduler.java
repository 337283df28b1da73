package io.gpudocker.resource.gpu;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Hands out GPUs by UUID, lowest index first, never one GPU to two holders. It is the in-memory view;
 * the durable record is each replicaset's etcd transaction, from which this view is rebuilt at start.
 */
public class GpuScheduler {
    private List<Gpu> inventory = List.of();
    private final Map<String, String> holders = new HashMap<>();

    /** Replaces the inventory and the allocations (at start). Holders of GPUs no longer present stay recorded. */
    public synchronized void load(List<Gpu> gpus, Map<String, String> allocations) {
        inventory = List.copyOf(gpus);
        holders.clear();
        holders.putAll(allocations);
    }

    public synchronized int total() { return inventory.size(); }

    /**
     * Keeps as many of {@code current} as {@code count} allows (lowest index first) and adds free GPUs to
     * reach {@code count}. The additions are reserved for {@code holder} at once.
     */
    public synchronized List<String> reserve(String holder, List<String> current, int count) {
        if (count < 0 || count > inventory.size()) {
            throw ApiException.of(ErrorCode.GPU_COUNT_INVALID, "gpuCount %d is out of range: this host has %d GPU(s)", count, inventory.size());
        }
        List<String> kept = new ArrayList<>();
        for (Gpu g : inventory) {
            if (kept.size() < count && current.contains(g.uuid())) {
                kept.add(g.uuid());
            }
        }
        List<String> free = free();
        int missing = count - kept.size();
        if (missing > free.size()) {
            throw ApiException.of(ErrorCode.GPU_NOT_ENOUGH, "asked for %d GPU(s) for '%s' but only %d more are free (free: %s; the replicaset keeps %d)",
                    count, holder, free.size(), free, kept.size());
        }
        List<String> added = free.subList(0, missing);
        added.forEach(uuid -> holders.put(uuid, holder));
        List<String> result = new ArrayList<>(kept);
        result.addAll(added);
        return orderByIndex(result);
    }

    /** Releases these GPUs if (and only if) {@code holder} holds them. */
    public synchronized void release(String holder, Collection<String> uuids) {
        for (String uuid : uuids) {
            holders.remove(uuid, holder);
        }
    }

    public synchronized Map<String, String> allocations() {
        return new LinkedHashMap<>(holders);
    }

    public synchronized List<Gpu> inventory() { return inventory; }

    public synchronized List<String> free() {
        return inventory.stream().map(Gpu::uuid).filter(u -> !holders.containsKey(u)).toList();
    }

    public synchronized boolean present(String uuid) {
        return inventory.stream().anyMatch(g -> Objects.equals(g.uuid(), uuid));
    }

    private List<String> orderByIndex(List<String> uuids) {
        return inventory.stream().map(Gpu::uuid).filter(uuids::contains).toList();
    }
}
