package io.gpudocker.resource.cpu;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host cores the service may hand out, by NUMA node, and the node each GPU (by PCI bus id) hangs off.
 * {@link #UNKNOWN_NODE} holds every core where the host reports no nodes.
 *
 * @param nodes   node number to its cores, ascending
 * @param gpuNode PCI bus id in sysfs form ({@code 0000:3b:00.0}) to the node of that device
 */
public record CpuTopology(Map<Integer, List<Integer>> nodes, Map<String, Integer> gpuNode) {
    public static final int UNKNOWN_NODE = -1;

    public CpuTopology {
        nodes = Map.copyOf(nodes);
        gpuNode = Map.copyOf(gpuNode);
    }

    public static CpuTopology flat(List<Integer> cores) {
        return new CpuTopology(cores.isEmpty() ? Map.of() : Map.of(UNKNOWN_NODE, List.copyOf(cores)), Map.of());
    }

    /** Every core, ascending. */
    public List<Integer> cores() {
        return nodes.values().stream().flatMap(List::stream).sorted().toList();
    }

    public int nodeOf(int core) {
        return nodes.entrySet().stream().filter(e -> e.getValue().contains(core)).map(Map.Entry::getKey).findFirst().orElse(UNKNOWN_NODE);
    }

    /** The node of the GPU with this bus id as nvidia-smi prints it ({@code 00000000:3B:00.0}); empty where unknown. */
    public Optional<Integer> nodeOfGpu(String nvidiaBusId) {
        String key = sysfsBusId(nvidiaBusId);
        return key == null ? Optional.empty() : Optional.ofNullable(gpuNode.get(key));
    }

    /** nvidia-smi prints an 8-digit PCI domain in upper case; sysfs names the device with 4 digits in lower case. */
    static String sysfsBusId(String nvidiaBusId) {
        if (nvidiaBusId == null || nvidiaBusId.isBlank()) {
            return null;
        }
        String id = nvidiaBusId.trim().toLowerCase();
        int colon = id.indexOf(':');
        if (colon > 4) {
            id = id.substring(colon - 4);
        }
        return id;
    }

    /** Nodes in number order, for views. */
    public Map<Integer, List<Integer>> nodesInOrder() {
        Map<Integer, List<Integer>> ordered = new LinkedHashMap<>();
        nodes.keySet().stream().sorted().forEach(n -> ordered.put(n, nodes.get(n)));
        return ordered;
    }
}
