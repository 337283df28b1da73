package io.gpudocker.resource.cpu;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hands out CPU cores, each to at most one holder, on the NUMA node of the holder's GPUs where the topology is
 * known. The in-memory view; the durable record is each replicaset's etcd transaction, from which it is rebuilt
 * at start.
 */
public class CpuScheduler {
    private CpuTopology topology = CpuTopology.flat(List.of());
    private final Map<Integer, String> holders = new HashMap<>();

    /** Replaces the topology and the allocations (at start). Holders of cores no longer present stay recorded. */
    public synchronized void load(CpuTopology newTopology, Map<Integer, String> allocations) {
        topology = newTopology;
        holders.clear();
        holders.putAll(allocations);
    }

    public synchronized CpuTopology topology() { return topology; }

    public synchronized int total() { return topology.cores().size(); }

    public synchronized List<Integer> free() {
        return topology.cores().stream().filter(c -> !holders.containsKey(c)).toList();
    }

    public synchronized Map<Integer, String> allocations() { return new TreeMap<>(holders); }

    /**
     * Keeps as many of {@code current} as {@code count} allows (lowest first) and adds free cores to reach
     * {@code count}, reserved for {@code holder} at once; see {@link #choose} for which.
     *
     * @param preferredNodes the nodes of the holder's GPUs, the one with most of them first
     */
    public synchronized List<Integer> reserve(String holder, List<Integer> current, int count, List<Integer> preferredNodes) {
        List<Integer> all = topology.cores();
        if (count < 0 || count > all.size()) {
            throw ApiException.of(ErrorCode.CPU_COUNT_INVALID, "cpuCount %d is out of range: this host hands out %d core(s) (%s)",
                    count, all.size(), CpuList.format(all));
        }
        List<Integer> kept = all.stream().filter(current::contains).limit(count).toList();
        Map<Integer, List<Integer>> freeByNode = freeByNode();
        int missing = count - kept.size();
        int free = freeByNode.values().stream().mapToInt(List::size).sum();
        if (missing > free) {
            throw ApiException.of(ErrorCode.CPU_NOT_ENOUGH, "asked for %d CPU core(s) for '%s' but only %d more are free (%s%s)",
                    count, holder, free, describe(freeByNode), kept.isEmpty() ? "" : "; it keeps the " + kept.size() + " it holds");
        }
        List<Integer> added = choose(freeByNode, missing, preferredNodes);
        added.forEach(c -> holders.put(c, holder));
        List<Integer> result = new ArrayList<>(kept);
        result.addAll(added);
        result.sort(Comparator.naturalOrder());
        return List.copyOf(result);
    }

    /** Releases these cores if (and only if) {@code holder} holds them. */
    public synchronized void release(String holder, Collection<Integer> cores) {
        for (Integer core : cores) {
            holders.remove(core, holder);
        }
    }

    /** Free cores by node, nodes in number order. */
    public synchronized Map<Integer, List<Integer>> freeByNode() {
        Map<Integer, List<Integer>> result = new LinkedHashMap<>();
        topology.nodesInOrder().forEach((node, cores) -> result.put(node, cores.stream().filter(c -> !holders.containsKey(c)).toList()));
        return result;
    }

    /**
     * Which {@code missing} cores to take: the preferred nodes' first, in the order given (the GPUs' own node is
     * the one memory traffic to the card is cheapest from); then, of the other nodes, the one with the fewest free
     * cores that still holds all that remain (an instance stays on one node, and large free blocks stay whole for
     * the next), else the fullest first. Within a node, lowest cores first.
     */
    static List<Integer> choose(Map<Integer, List<Integer>> freeByNode, int missing, List<Integer> preferredNodes) {
        List<Integer> chosen = new ArrayList<>();
        for (Integer node : preferredNodes) {
            take(freeByNode.getOrDefault(node, List.of()), missing, chosen);
        }
        while (chosen.size() < missing) {
            int remaining = missing - chosen.size();
            Integer next = freeByNode.entrySet().stream()
                    .filter(e -> !preferredNodes.contains(e.getKey()))
                    .filter(e -> e.getValue().stream().anyMatch(c -> !chosen.contains(c)))
                    .min(Comparator.comparingInt((Map.Entry<Integer, List<Integer>> e) -> fits(e.getValue(), chosen, remaining) ? 0 : 1)
                            .thenComparingInt(e -> fits(e.getValue(), chosen, remaining) ? left(e.getValue(), chosen) : -left(e.getValue(), chosen))
                            .thenComparingInt(Map.Entry::getKey))
                    .map(Map.Entry::getKey).orElseThrow(() -> new IllegalStateException("fewer free cores than counted"));
            take(freeByNode.get(next), missing, chosen);
        }
        return chosen;
    }

    private static void take(List<Integer> cores, int missing, List<Integer> chosen) {
        for (Integer c : cores) {
            if (chosen.size() >= missing) {
                return;
            }
            if (!chosen.contains(c)) {
                chosen.add(c);
            }
        }
    }

    private static boolean fits(List<Integer> cores, List<Integer> chosen, int remaining) {
        return left(cores, chosen) >= remaining;
    }

    private static int left(List<Integer> cores, List<Integer> chosen) {
        return (int) cores.stream().filter(c -> !chosen.contains(c)).count();
    }

    private static String describe(Map<Integer, List<Integer>> freeByNode) {
        List<String> parts = new ArrayList<>();
        freeByNode.forEach((node, cores) -> parts.add((node == CpuTopology.UNKNOWN_NODE ? "free" : "node " + node + " free")
                + ": " + (cores.isEmpty() ? "none" : CpuList.format(cores))));
        return parts.isEmpty() ? "this host hands out no cores" : String.join(", ", parts);
    }
}
