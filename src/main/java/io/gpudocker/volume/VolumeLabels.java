package io.gpudocker.volume;

import io.gpudocker.common.ManagedLabels;
import java.util.LinkedHashMap;
import java.util.Map;

/** Labels that mark a Docker volume as a version of a volume managed by this service (one per etcd prefix). */
public final class VolumeLabels {
    public static final String OWNER = ManagedLabels.OWNER;
    public static final String VOLUME = "io.gpudocker.volume";
    public static final String VERSION = ManagedLabels.VERSION;

    private VolumeLabels() {}

    public static Map<String, String> of(String owner, String name, long version) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(OWNER, owner);
        labels.put(VOLUME, name);
        labels.put(VERSION, Long.toString(version));
        return labels;
    }

    /** Whether a Docker volume's labels say it belongs to volume {@code name} of this service. */
    public static boolean belongsTo(Map<String, String> labels, String owner, String name) {
        return labels != null && owner.equals(labels.get(OWNER)) && name.equals(labels.get(VOLUME));
    }
}
