package io.gpudocker.replicaset.reconcile;

import io.gpudocker.replicaset.AllocationKind;
import io.gpudocker.replicaset.ComputeAllocator;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is held, squared with the records: at start the allocation keys no record accounts for are dropped
 * and the schedulers rebuilt from the records; while serving, what the schedulers hold for a name beyond
 * its record is released.
 */
class AllocationAudit {
    private static final Logger log = LoggerFactory.getLogger(AllocationAudit.class);

    private final ReplicaSetRepository repo;
    private final GpuScheduler gpus;
    private final PortScheduler ports;
    private final ComputeAllocator compute;

    AllocationAudit(ReplicaSetRepository repo, GpuScheduler gpus, PortScheduler ports, ComputeAllocator compute) {
        this.repo = repo;
        this.gpus = gpus;
        this.ports = ports;
        this.compute = compute;
    }

    /** How much the records hold once the schedulers are rebuilt, for the start-up pass's closing line. */
    record Held(int gpus, int ports, int cpus) { }

    /** At start, with the repaired records of this node, before any call is served. */
    Held rebuild(List<ReplicaSetRecord> records, List<Gpu> inventory, CpuTopology topology) {
        Map<String, String> gpuHolders = new HashMap<>();
        Map<Integer, String> portHolders = new HashMap<>();
        records.forEach(r -> {
            r.gpus().forEach(g -> gpuHolders.put(g, r.name()));
            r.ports().values().forEach(p -> portHolders.put(p, r.name()));
        });
        Map<Integer, String> cpuHolders = new HashMap<>();
        records.forEach(r -> r.cpus().forEach(c -> cpuHolders.put(c, r.name())));
        Set<String> ownGpus = inventory.stream().map(Gpu::uuid).collect(Collectors.toSet());
        ownGpus.addAll(gpuHolders.keySet());
        dropUnaccountedAllocations(ownGpus, gpuHolders, portHolders);
        dropUnaccountedCpus(cpuHolders);
        gpus.load(inventory, gpuHolders);
        ports.load(portHolders);
        compute.load(topology, records);
        gpuHolders.forEach((uuid, holder) -> {
            if (!gpus.present(uuid)) {
                log.warn("GPU {} held by replicaset {} is no longer in the inventory; it is reported as missing and never handed out", uuid, holder);
            }
        });
        return new Held(gpuHolders.size(), portHolders.size(), cpuHolders.size());
    }

    int freeGpus() {
        return gpus.free().size();
    }

    /** The names the GPU and port schedulers hold anything for. */
    Set<String> holders() {
        Set<String> holders = new HashSet<>(gpus.allocations().values());
        holders.addAll(ports.allocations().values());
        return holders;
    }

    /**
     * Under the name's lock no call of it is in flight, so what the schedulers hold for it beyond its record
     * is left over: released by a repair, or kept by a call whose record write had an unknown outcome.
     */
    void releaseWhatTheRecordDoesNotHold(ReplicaSetRecord record) {
        String name = record.name();
        List<String> extraGpus = heldGpus(name).stream().filter(g -> !record.gpus().contains(g)).toList();
        List<Integer> extraPorts = heldPorts(name).stream().filter(p -> !record.ports().containsValue(p)).toList();
        gpus.release(name, extraGpus);
        ports.release(name, extraPorts);
        compute.releaseBeyond(record);
    }

    /**
     * Under the lock of a name with no record no call is in flight, so nothing it holds in memory is
     * anyone's: a delete whose containers could not all be removed kept them reserved until now, a create
     * whose record write had an unknown outcome kept its reservations.
     */
    void releaseEverythingHeldBy(String name) {
        List<String> heldGpus = heldGpus(name);
        List<Integer> heldPorts = heldPorts(name);
        compute.releaseAll(name);
        if (!heldGpus.isEmpty() || !heldPorts.isEmpty()) {
            gpus.release(name, heldGpus);
            ports.release(name, heldPorts);
            log.info("reconcile: released GPUs {} and ports {} of deleted replicaset {}, whose containers are gone now", heldGpus, heldPorts, name);
        }
    }

    private List<String> heldGpus(String name) {
        return gpus.allocations().entrySet().stream().filter(e -> name.equals(e.getValue())).map(Map.Entry::getKey).toList();
    }

    private List<Integer> heldPorts(String name) {
        return ports.allocations().entrySet().stream().filter(e -> name.equals(e.getValue())).map(Map.Entry::getKey).toList();
    }

    private void dropUnaccountedCpus(Map<Integer, String> cpuHolders) {
        repo.allocations(AllocationKind.CPU).forEach((core, holder) -> {
            if (!holder.equals(cpuHolders.get(core))) {
                repo.dropAllocation(AllocationKind.CPU, core, holder);
                log.info("reconcile: CPU core {} was recorded for {} which does not hold it; freed", core, holder);
            }
        });
    }

    /** @param ownGpus this node's GPUs: the GPU keys are shared by every node, and the others' are theirs to settle */
    private void dropUnaccountedAllocations(Set<String> ownGpus, Map<String, String> gpuHolders, Map<Integer, String> portHolders) {
        repo.allocations(AllocationKind.GPU).forEach((uuid, holder) -> {
            if (ownGpus.contains(uuid) && !holder.equals(gpuHolders.get(uuid))) {
                repo.dropAllocation(AllocationKind.GPU, uuid, holder);
                log.info("reconcile: GPU {} was recorded for {} which does not hold it; freed", uuid, holder);
            }
        });
        repo.allocations(AllocationKind.PORT).forEach((port, holder) -> {
            if (!holder.equals(portHolders.get(port))) {
                repo.dropAllocation(AllocationKind.PORT, port, holder);
                log.info("reconcile: port {} was recorded for {} which does not hold it; freed", port, holder);
            }
        });
    }
}
