package io.gpudocker.resource.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the host's cores by NUMA node ({@code devices/system/node/node*}{@code /cpulist}) and the node of each
 * GPU ({@code bus/pci/devices/<bus id>/numa_node}) under a sysfs root, {@code /sys} on a real host and a fixture
 * tree in tests. A host without node directories has one node of unknown number with every online core; a GPU
 * whose node sysfs does not tell is simply not NUMA-placed.
 */
public class CpuTopologyReader {
    private static final Logger log = LoggerFactory.getLogger(CpuTopologyReader.class);
    private static final Pattern NODE_DIR = Pattern.compile("node(\\d+)");

    private final Path sysfsRoot;
    private final List<Integer> reserved;

    /** @param reservedCpus cores kept for the host itself (e.g. {@code "0-1"}), never handed to an instance */
    public CpuTopologyReader(Path sysfsRoot, String reservedCpus) {
        this.sysfsRoot = sysfsRoot;
        this.reserved = CpuList.parse(reservedCpus);
    }

    /** @param gpuBusIds the bus ids nvidia-smi reported, in its notation */
    public CpuTopology read(Collection<String> gpuBusIds) {
        Map<Integer, List<Integer>> nodes = nodes();
        Map<String, Integer> gpuNodes = new HashMap<>();
        for (String busId : gpuBusIds) {
            String sysfsId = CpuTopology.sysfsBusId(busId);
            if (sysfsId == null) {
                continue;
            }
            Integer node = readInt(sysfsRoot.resolve("bus/pci/devices").resolve(sysfsId).resolve("numa_node"));
            if (node != null && node >= 0) {
                gpuNodes.put(sysfsId, node);
            }
        }
        CpuTopology topology = new CpuTopology(nodes, gpuNodes);
        log.info("CPU cores from {}: {} core(s) to hand out ({}){}, {} of {} GPU(s) placed on a NUMA node",
                sysfsRoot, topology.cores().size(), describe(topology),
                reserved.isEmpty() ? "" : " (reserved for the host: " + CpuList.format(reserved) + ")",
                gpuNodes.size(), gpuBusIds.size());
        return topology;
    }

    private Map<Integer, List<Integer>> nodes() {
        Map<Integer, List<Integer>> nodes = new TreeMap<>();
        Path nodeDir = sysfsRoot.resolve("devices/system/node");
        if (Files.isDirectory(nodeDir)) {
            try (Stream<Path> dirs = Files.list(nodeDir)) {
                dirs.forEach(dir -> {
                    Matcher m = NODE_DIR.matcher(dir.getFileName().toString());
                    String cpulist = m.matches() ? readText(dir.resolve("cpulist")) : null;
                    if (cpulist != null) {
                        List<Integer> cores = usable(CpuList.parse(cpulist));
                        if (!cores.isEmpty()) {
                            nodes.put(Integer.parseInt(m.group(1)), cores);
                        }
                    }
                });
            } catch (IOException e) {
                log.warn("cannot list {}: {}; cores are taken without NUMA nodes", nodeDir, e.getMessage());
                nodes.clear();
            }
        }
        if (!nodes.isEmpty()) {
            return nodes;
        }
        String online = readText(sysfsRoot.resolve("devices/system/cpu/online"));
        List<Integer> cores = online != null ? CpuList.parse(online)
                : Stream.iterate(0, i -> i + 1).limit(Runtime.getRuntime().availableProcessors()).toList();
        return CpuTopology.flat(usable(cores)).nodes();
    }

    private List<Integer> usable(List<Integer> cores) {
        return cores.stream().filter(c -> !reserved.contains(c)).toList();
    }

    private static String describe(CpuTopology topology) {
        StringBuilder out = new StringBuilder();
        topology.nodesInOrder().forEach((node, cores) -> out.append(out.length() == 0 ? "" : ", ")
                .append(node == CpuTopology.UNKNOWN_NODE ? "no node" : "node " + node).append(": ").append(CpuList.format(cores)));
        return out.toString();
    }

    private static String readText(Path file) {
        try {
            return Files.isReadable(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            log.warn("cannot read {}: {}", file, e.getMessage());
            return null;
        }
    }

    private static Integer readInt(Path file) {
        String text = readText(file);
        try {
            return text == null ? null : Integer.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
