package io.gpudocker.replicaset;

import io.gpudocker.common.ManagedLabels;
import java.util.LinkedHashMap;
import java.util.Map;

/** Labels that mark a container as a version of a replicaset managed by this service (one per etcd prefix). */
public final class ContainerLabels {
    public static final String OWNER = ManagedLabels.OWNER;
    public static final String REPLICASET = "io.gpudocker.replicaset";
    public static final String VERSION = ManagedLabels.VERSION;

    private ContainerLabels() {}

    public static Map<String, String> of(String owner, String name, long version) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(OWNER, owner);
        labels.put(REPLICASET, name);
        labels.put(VERSION, Long.toString(version));
        return labels;
    }

    public static Map<String, String> owner(String owner) {
        return Map.of(OWNER, owner);
    }

    public static Map<String, String> replicaSet(String owner, String name) {
        return Map.of(OWNER, owner, REPLICASET, name);
    }

    /** The version a container's labels name, or -1 where the label is missing or garbled. */
    public static long version(Map<String, String> labels) {
        try {
            return Long.parseLong(labels.getOrDefault(VERSION, "-1"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
