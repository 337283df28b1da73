package io.gpudocker.schedule;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/**
 * A replicaset's schedule as kept in etcd: the action, when it is due, who set it (it runs with that caller's rights)
 * and when.
 */
@Schema(name = "Schedule")
public record Schedule(
        @Schema(example = "foo") String name,
        @Schema(example = "STOP") ScheduleAction action,
        @Schema(description = "when it runs", example = "2026-01-01T18:00:00Z") Instant at,
        @Schema(description = "the caller that set it; the action runs with its rights", example = "alice") String setBy,
        @Schema(description = "whether the admin set it", example = "false") boolean setByAdmin,
        @Schema(example = "2026-01-01T10:00:00Z") Instant setAt) {}
