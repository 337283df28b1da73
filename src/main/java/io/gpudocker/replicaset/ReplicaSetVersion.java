package io.gpudocker.replicaset;

import java.time.Instant;
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
        Map<String, Integer> ports) {}
