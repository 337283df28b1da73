package io.gpudocker.replicaset;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.gpudocker.store.Versioned;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One version, kept as its own etcd key forever (until the replicaset is deleted), with what it was given:
 * GPUs, host ports, CPU cores ({@code cpus}, empty: unpinned), and the memory limit and /dev/shm size in bytes
 * (0: none, Docker's default).
 */
public record ReplicaSetVersion(
        String replicaSet,
        long version,
        String containerName,
        Instant createTime,
        String cause,
        ReplicaSetSpec spec,
        List<String> gpus,
        Map<String, Integer> ports,
        List<Integer> cpus,
        Long memory,
        Long shmSize) implements Versioned {

    public ReplicaSetVersion {
        // absent from versions written before cores and memory were given: none
        cpus = cpus == null ? List.of() : List.copyOf(cpus);
        memory = memory == null ? 0L : memory;
        shmSize = shmSize == null ? 0L : shmSize;
    }

    /** A version given no cores, memory limit or shared memory of its own. */
    public ReplicaSetVersion(String replicaSet, long version, String containerName, Instant createTime, String cause,
                             ReplicaSetSpec spec, List<String> gpus, Map<String, Integer> ports) {
        this(replicaSet, version, containerName, createTime, cause, spec, gpus, ports, List.of(), 0L, 0L);
    }

    /** What it was given; stored as the fields {@code gpus}, {@code ports}, {@code cpus} and {@code memory}. */
    @JsonIgnore
    public Holdings holdings() { return new Holdings(gpus, ports, cpus, memory); }

    /** Pairs each container port with the host port handed out for it, in order. */
    static Map<String, Integer> portMap(List<String> containerPorts, List<Integer> hostPorts) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < containerPorts.size(); i++) {
            m.put(containerPorts.get(i), hostPorts.get(i));
        }
        return m;
    }
}
