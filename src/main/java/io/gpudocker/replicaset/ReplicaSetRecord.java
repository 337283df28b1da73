package io.gpudocker.replicaset;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The current state of a replicaset: which version is current, whether it runs, and what it holds.
 * {@code gpus} and {@code ports} always equal the allocation keys written in the same transaction.
 * {@code tenant} is who created it (null for records older than tenancy: the admin's).
 */
public record ReplicaSetRecord(
        String name,
        long version,
        ReplicaSetState state,
        List<String> gpus,
        Map<String, Integer> ports,
        Instant createTime,
        Instant updateTime,
        String tenant) {

    public ReplicaSetRecord {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        ports = ports == null ? Map.of() : Map.copyOf(ports);
    }

    public String containerName() { return containerName(name, version); }

    public static String containerName(String name, long version) { return name + "-" + version; }

    public ReplicaSetRecord with(long newVersion, ReplicaSetState newState, List<String> newGpus, Map<String, Integer> newPorts) {
        return new ReplicaSetRecord(name, newVersion, newState, newGpus, newPorts, createTime, Instant.now(), tenant);
    }

    public ReplicaSetRecord stopped() { return with(version, ReplicaSetState.STOPPED, List.of(), Map.of()); }

    public ReplicaSetRecord inState(ReplicaSetState newState) { return with(version, newState, gpus, ports); }
}
