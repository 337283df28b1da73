package io.gpudocker.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Labels on everything this service creates in Docker: containers carry the replicaset, volumes the volume,
 * both the version. The owner is the etcd prefix, so several services (or test runs) on one engine never
 * touch each other's objects.
 */
public final class ManagedLabels {
    public static final String OWNER = "io.gpudocker.owner";
    public static final String VERSION = "io.gpudocker.version";
    public static final String REPLICASET = "io.gpudocker.replicaset";
    public static final String VOLUME = "io.gpudocker.volume";
    /** Who the object belongs to: the tenant that created it. */
    public static final String TENANT = "io.gpudocker.tenant";
    /** The deployment (cluster id in etcd) that made the object. */
    public static final String CLUSTER = "io.gpudocker.cluster";
    /** The operation that made it: while its intent is in etcd, the object was never committed. */
    public static final String OPERATION = "io.gpudocker.operation";
    /** The full record of the version, as JSON, so records can be rebuilt from what Docker holds. */
    public static final String RECORD = "io.gpudocker.record";
    /**
     * A container's host-path binds (JSON: the bind's place in its binds to the host path): Docker is given the
     * service's own mount point of each instead, mounted from that path, checked, at every start.
     */
    public static final String BIND_SOURCES = "io.gpudocker.bind-sources";

    private ManagedLabels() {}

    /** The labels of version {@code version} of replicaset {@code name}'s container. */
    public static Map<String, String> replicaSetVersion(String owner, String name, long version) {
        return versioned(owner, REPLICASET, name, version);
    }

    /** The labels of version {@code version} of volume {@code name}'s Docker volume. */
    public static Map<String, String> volumeVersion(String owner, String name, long version) {
        return versioned(owner, VOLUME, name, version);
    }

    /** {@code labels} plus the deployment, the operation and the version's record that the object carries. */
    public static Map<String, String> stamped(Map<String, String> labels, String cluster, String operation, String recordJson) {
        Map<String, String> stamped = new LinkedHashMap<>(labels);
        stamped.put(CLUSTER, cluster);
        stamped.put(OPERATION, operation);
        stamped.put(RECORD, recordJson);
        return stamped;
    }

    /** Selects everything this service (under this owner) created. */
    public static Map<String, String> owner(String owner) {
        return Map.of(OWNER, owner);
    }

    /** Selects every container of one replicaset. */
    public static Map<String, String> replicaSet(String owner, String name) {
        return Map.of(OWNER, owner, REPLICASET, name);
    }

    /** Whether a Docker volume's labels say it belongs to volume {@code name} of this service. */
    public static boolean isVolumeOf(Map<String, String> labels, String owner, String name) {
        return labels != null && owner.equals(labels.get(OWNER)) && name.equals(labels.get(VOLUME));
    }

    /** The version the labels name, or -1 where the label is missing or garbled (never a version of ours). */
    public static long version(Map<String, String> labels) {
        try {
            return labels == null ? -1 : Long.parseLong(labels.getOrDefault(VERSION, "-1"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Map<String, String> versioned(String owner, String kind, String name, long version) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(OWNER, owner);
        labels.put(kind, name);
        labels.put(VERSION, Long.toString(version));
        return labels;
    }
}
