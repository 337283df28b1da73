package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ByteSizes;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.memory.MemoryPool;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * CPU cores and memory for a version: the spec's own ask or the operator's default share, cores on the NUMA node
 * of the version's GPUs where the topology says which, memory from the pool. What a replicaset holds counts as
 * available to its own next version.
 */
public class ComputeAllocator {
    /** Docker refuses a smaller memory limit. */
    static final long MIN_MEMORY = 6L * 1024 * 1024;

    private final CpuScheduler cpus;
    private final MemoryPool memory;
    private final GpuScheduler gpus;
    private final ComputeDefaults defaults;

    /**
     * What a version is given, and what to put back if its operation fails.
     *
     * @param addedCpus    cores this reservation took that the replicaset did not hold
     * @param memoryBefore the replicaset's share of the pool before
     */
    public record Grant(List<Integer> cpus, long memory, long shmSize, List<Integer> addedCpus, long memoryBefore) {
        /** Cores held before that this grant does not keep. */
        List<Integer> droppedFrom(List<Integer> held) {
            return held.stream().filter(c -> !cpus.contains(c)).toList();
        }
    }

    public ComputeAllocator(CpuScheduler cpus, MemoryPool memory, GpuScheduler gpus, ComputeDefaults defaults) {
        this.cpus = cpus;
        this.memory = memory;
        this.gpus = gpus;
        this.defaults = defaults;
    }

    /**
     * Reserves cores and memory for {@code spec} running with {@code gpuUuids}, keeping what of {@code heldCpus}
     * it can. Refuses (changing nothing) a shared memory larger than the memory limit, more cores or memory
     * than are free.
     */
    public Grant reserve(String name, ReplicaSetSpec spec, List<String> gpuUuids, List<Integer> heldCpus) {
        int cpuCount = defaults.cpus(spec);
        long memoryBytes = defaults.memory(spec);
        long shm = defaults.shmSize(spec);
        if (memoryBytes > 0 && memoryBytes < MIN_MEMORY) {
            throw ApiException.of(ErrorCode.MEMORY_INVALID, "memory %s is below %s, the least Docker accepts as a limit",
                    ByteSizes.format(memoryBytes), ByteSizes.format(MIN_MEMORY));
        }
        if (memoryBytes > 0 && shm > memoryBytes) {
            throw ApiException.of(ErrorCode.MEMORY_INVALID, "shmSize %s exceeds the memory limit %s: /dev/shm counts against it",
                    ByteSizes.format(shm), ByteSizes.format(memoryBytes));
        }
        List<Integer> granted;
        try {
            granted = cpus.reserve(name, heldCpus, cpuCount, preferredNodes(gpuUuids));
        } catch (ApiException e) {
            throw spec.cpuCount() != null ? e : new ApiException(e.code(), e.getMessage() + "; the count is the default share ("
                    + (spec.gpuCount() > 0 ? "gda.resources.cpus-per-gpu x " + spec.gpuCount() + " GPU(s)" : "gda.resources.cpus-without-gpu")
                    + "); ask for fewer with cpuCount");
        }
        List<Integer> added = granted.stream().filter(c -> !heldCpus.contains(c)).toList();
        long before;
        try {
            before = memory.reserve(name, memoryBytes);
        } catch (ApiException e) {
            cpus.release(name, added);
            throw spec.memory() != null ? e : new ApiException(e.code(), e.getMessage() + "; the limit is the default share ("
                    + (spec.gpuCount() > 0 ? "gda.resources.memory-per-gpu x " + spec.gpuCount() + " GPU(s)" : "gda.resources.memory-without-gpu")
                    + "); ask for less with memory");
        }
        return new Grant(granted, memoryBytes, shm, added, before);
    }

    /** Puts back what a failed operation's grant took. */
    public void undo(String name, Grant grant) {
        cpus.release(name, grant.addedCpus());
        memory.restore(name, grant.memoryBefore());
    }

    /** After the grant is recorded: the cores held before that it no longer keeps go back. */
    public void settle(String name, List<Integer> heldCpus, Grant grant) {
        cpus.release(name, grant.droppedFrom(heldCpus));
    }

    /** Everything the record holds goes back (stop, delete, a container found gone). */
    public void release(ReplicaSetRecord record) {
        cpus.release(record.name(), record.cpus());
        memory.release(record.name());
    }

    /**
     * What the schedulers hold for the record's name beyond the record goes back; called where no operation of
     * the name is in flight (under its lock), so the record is the whole truth.
     */
    public void releaseBeyond(ReplicaSetRecord record) {
        String name = record.name();
        cpus.release(name, cpus.allocations().entrySet().stream()
                .filter(e -> name.equals(e.getValue()) && !record.cpus().contains(e.getKey())).map(Map.Entry::getKey).toList());
        memory.restore(name, record.memory());
    }

    /** Everything the schedulers hold for a name with no record goes back (its containers are gone). */
    public void releaseAll(String name) {
        cpus.release(name, cpus.allocations().entrySet().stream().filter(e -> name.equals(e.getValue())).map(Map.Entry::getKey).toList());
        memory.release(name);
    }

    /** Reloads both views from the records' holdings (at start). */
    public void load(CpuTopology topology, List<ReplicaSetRecord> records) {
        cpus.load(topology, records.stream().flatMap(r -> r.cpus().stream().map(c -> Map.entry(c, r.name())))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a)));
        memory.load(records.stream().filter(r -> r.memory() > 0).collect(Collectors.toMap(ReplicaSetRecord::name, ReplicaSetRecord::memory)));
    }

    /** The NUMA nodes of these GPUs, the node with most of them first; empty where none is known. */
    List<Integer> preferredNodes(List<String> gpuUuids) {
        CpuTopology topology = cpus.topology();
        Map<String, Gpu> byUuid = gpus.inventory().stream().collect(Collectors.toMap(Gpu::uuid, Function.identity(), (a, b) -> a));
        Map<Integer, Long> counts = gpuUuids.stream().map(byUuid::get).filter(Objects::nonNull)
                .map(g -> topology.nodeOfGpu(g.busId()).orElse(null)).filter(Objects::nonNull)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        return counts.entrySet().stream()
                .sorted(Map.Entry.<Integer, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).toList();
    }
}
