package io.gpudocker.replicaset;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.gpudocker.api.Owned;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The current state of a replicaset: which version is current, whether it runs, and what it holds.
 * {@code gpus}, {@code ports} and {@code cpus} always equal the allocation keys written in the same transaction;
 * {@code memory} is its share of the memory pool (bytes, 0: none).
 * {@code tenant} is who created it (null for records older than tenancy: the admin's); {@code node} the node whose Docker
 * engine runs it (null only in records written before nodes, until a node claims them). {@code image} is the current
 * version's image, carried here so that the list reads no version (null in records written before it was; the list then
 * reads that one's version).
 */
public record ReplicaSetRecord(
        String name,
        long version,
        ReplicaSetState state,
        List<String> gpus,
        Map<String, Integer> ports,
        Instant createTime,
        Instant updateTime,
        String tenant,
        List<Integer> cpus,
        Long memory,
        String node,
        String image) implements Owned {

    public ReplicaSetRecord {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        ports = ports == null ? Map.of() : Map.copyOf(ports);
        // absent from records written before cores and memory were held: none
        cpus = cpus == null ? List.of() : List.copyOf(cpus);
        memory = memory == null ? 0L : memory;
    }

    /** A record that does not carry its image (the list reads it from the current version). */
    public ReplicaSetRecord(String name, long version, ReplicaSetState state, List<String> gpus, Map<String, Integer> ports, Instant createTime,
                            Instant updateTime, String tenant, List<Integer> cpus, Long memory, String node) {
        this(name, version, state, gpus, ports, createTime, updateTime, tenant, cpus, memory, node, null);
    }

    /** A record of the single node {@code local} holding no CPU cores or memory. */
    public ReplicaSetRecord(String name, long version, ReplicaSetState state, List<String> gpus, Map<String, Integer> ports,
                            Instant createTime, Instant updateTime, String tenant) {
        this(name, version, state, gpus, ports, createTime, updateTime, tenant, List.of(), 0L, "local");
    }

    public String containerName() { return containerName(name, version); }

    /** What it holds; stored as the fields {@code gpus}, {@code ports}, {@code cpus} and {@code memory}. */
    @JsonIgnore
    public Holdings holdings() { return new Holdings(gpus, ports, cpus, memory); }

    public static String containerName(String name, long version) { return name + "-" + version; }

    /** Another version and state, holding the GPUs and ports given and the cores and memory it holds now. */
    public ReplicaSetRecord with(long newVersion, ReplicaSetState newState, List<String> newGpus, Map<String, Integer> newPorts) {
        return new ReplicaSetRecord(name, newVersion, newState, newGpus, newPorts, createTime, Instant.now(), tenant, cpus, memory, node,
                newVersion == version ? image : null);
    }

    /** Running {@code v}, holding exactly what {@code v} was given. */
    public ReplicaSetRecord running(ReplicaSetVersion v) {
        return holding(v.version(), ReplicaSetState.RUNNING, v.holdings(), v.spec().image());
    }

    public ReplicaSetRecord stopped() {
        return holding(version, ReplicaSetState.STOPPED, Holdings.NONE, image);
    }

    private ReplicaSetRecord holding(long newVersion, ReplicaSetState newState, Holdings h, String newImage) {
        return new ReplicaSetRecord(name, newVersion, newState, h.gpus(), h.ports(), createTime, Instant.now(), tenant, h.cores(), h.memory(), node,
                newImage);
    }

    public ReplicaSetRecord inState(ReplicaSetState newState) { return with(version, newState, gpus, ports); }
}
