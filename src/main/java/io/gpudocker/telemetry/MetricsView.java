package io.gpudocker.telemetry;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** An instance's figures as its node sampled them. */
@Schema(name = "InstanceMetrics")
public record MetricsView(
        @Schema(example = "foo") String name,
        @Schema(description = "the node that runs it and sampled it", example = "local") String node,
        @Schema(description = "seconds between samples", example = "5") long periodSeconds,
        @Schema(description = "the points returned start here (null: every point kept)", example = "2026-01-01T00:00:00Z") Instant since,
        @Schema(description = "the last sample in full; null while it is not running or before its first sample") InstanceFigures latest,
        @Schema(description = "samples at the period, oldest first (the last gda.telemetry.recent)") List<InstancePoint> recent,
        @Schema(description = "one-minute averages, oldest first (the last gda.telemetry.daily), each stamped with its minute") List<InstancePoint> minutes,
        @Schema(description = "while its GPUs are idle under the idle-reclaim policy: since when and what is due when; null otherwise")
        IdleReclaimer.IdleStatus idle) {}
