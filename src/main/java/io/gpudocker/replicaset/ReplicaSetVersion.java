package io.gpudocker.replicaset;

import io.gpudocker.store.Versioned;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One version, kept as its own etcd key forever (until the replicaset is deleted). */
public record ReplicaSetVersion(
        String replicaSet,
        long version,
        String containerName,
        Instant createTime,
        String cause,
        ReplicaSetSpec spec,
        List<String> gpus,
        Map<String, Integer> ports) implements Versioned {

    /** Pairs each container port with the host port handed out for it, in order. */
    static Map<String, Integer> portMap(List<String> containerPorts, List<Integer> hostPorts) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < containerPorts.size(); i++) {
            m.put(containerPorts.get(i), hostPorts.get(i));
        }
        return m;
    }
}
