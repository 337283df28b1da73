package io.gpudocker.usage;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one instance or volume holds while an interval lasts, as metering counts it: GPUs by model, exclusive CPU
 * cores, its share of the memory pool and a volume's size (bytes). {@code kind} is "replicaset" or "volume";
 * {@code state} the record's state while it held this (a volume's is "ACTIVE").
 */
public record Held(String kind, String tenant, String instance, String state, Map<String, Integer> gpus, int cores,
                   long memoryBytes, long volumeBytes) {
    public static final String REPLICASET = "replicaset";
    public static final String VOLUME = "volume";

    public Held {
        gpus = gpus == null ? Map.of() : new TreeMap<>(gpus);
    }

    /** Whether it holds anything metered: an instance always counts its seconds, a volume only with a size. */
    public boolean meters() {
        return REPLICASET.equals(kind) || volumeBytes > 0;
    }

    /** What holding this for {@code millis} milliseconds comes to. */
    public Amounts over(long millis) {
        if (millis <= 0 || !meters()) {
            return Amounts.ZERO;
        }
        double seconds = millis / 1000.0;
        Map<String, Double> gpuSeconds = new TreeMap<>();
        gpus.forEach((model, count) -> gpuSeconds.put(model, count * seconds));
        return new Amounts(gpuSeconds, cores * seconds, memoryBytes / Amounts.GIB * seconds,
                volumeBytes / Amounts.GIB * seconds / 3600.0, REPLICASET.equals(kind) ? seconds : 0.0);
    }
}
