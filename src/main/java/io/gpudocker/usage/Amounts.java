package io.gpudocker.usage;

import java.util.Map;
import java.util.TreeMap;

/**
 * Usage added up: GPU-seconds per GPU model, core-seconds, memory GiB-seconds, volume GiB-hours and instance-seconds
 * (seconds an instance held its resources: running, paused or exited, not stopped). Fractions of a second are kept
 * (intervals are metered to the millisecond) so sums of many short intervals stay exact.
 */
public record Amounts(Map<String, Double> gpuSeconds, double coreSeconds, double memoryGiBSeconds, double volumeGiBHours,
                      double instanceSeconds) {
    static final double GIB = 1024.0 * 1024 * 1024;
    public static final Amounts ZERO = new Amounts(Map.of(), 0, 0, 0, 0);

    public Amounts {
        gpuSeconds = gpuSeconds == null ? Map.of() : new TreeMap<>(gpuSeconds);
    }

    public Amounts plus(Amounts o) {
        Map<String, Double> gpus = new TreeMap<>(gpuSeconds);
        o.gpuSeconds.forEach((model, s) -> gpus.merge(model, s, Double::sum));
        return new Amounts(gpus, coreSeconds + o.coreSeconds, memoryGiBSeconds + o.memoryGiBSeconds,
                volumeGiBHours + o.volumeGiBHours, instanceSeconds + o.instanceSeconds);
    }

    /** GPU-seconds of every model together. */
    public double gpuSecondsTotal() {
        return gpuSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    public boolean isZero() {
        return gpuSecondsTotal() == 0 && coreSeconds == 0 && memoryGiBSeconds == 0 && volumeGiBHours == 0 && instanceSeconds == 0;
    }
}
