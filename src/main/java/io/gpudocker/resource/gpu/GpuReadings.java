package io.gpudocker.resource.gpu;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The latest reading of each of this node's GPUs, as the telemetry sampler last took it; empty until it has (or when
 * telemetry is off). Kept beside the inventory so the resource views show it without knowing the sampler.
 */
public class GpuReadings {
    /** One pass of the sampler: what each GPU said, and when. */
    public record Latest(Instant at, Map<String, GpuSample> byUuid) {
        public static final Latest NONE = new Latest(null, Map.of());
    }

    private volatile Latest latest = Latest.NONE;

    public void record(Instant at, List<GpuSample> samples) {
        latest = new Latest(at, samples.stream().collect(Collectors.toUnmodifiableMap(GpuSample::uuid, Function.identity(), (a, b) -> a)));
    }

    public Latest latest() { return latest; }
}
