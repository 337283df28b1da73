package io.gpudocker.telemetry;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/**
 * One point of an instance's series: a sample, or the average of a minute's samples. A figure is null where it could
 * not be read (no GPU, a GPU that gave no figure, a cgroup not found).
 */
@Schema(name = "InstanceMetricPoint")
public record InstancePoint(
        @Schema(example = "2026-01-01T00:00:05Z") Instant at,
        @Schema(description = "CPU used, in percent of one core (200: two cores busy)", example = "97.5") Double cpuPercent,
        @Schema(description = "memory in use by the container, page cache that can be dropped excluded", example = "536870912") Long memoryBytes,
        @Schema(description = "mean utilization of the GPUs it holds", example = "88.5") Double gpuUtilizationPercent,
        @Schema(description = "GPU memory in use on the GPUs it holds, summed", example = "40960") Long gpuMemoryUsedMiB) {}
