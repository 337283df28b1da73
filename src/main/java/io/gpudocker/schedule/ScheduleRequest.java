package io.gpudocker.schedule;

import io.swagger.v3.oas.annotations.media.Schema;

/** A schedule to set: the action and exactly one of {@code at} or {@code after}. */
@Schema(name = "ScheduleRequest", example = "{\"action\": \"stop\", \"after\": \"2h\"}")
public record ScheduleRequest(
        @Schema(description = "stop, or cardless (a new version with 0 GPUs)", example = "stop", requiredMode = Schema.RequiredMode.REQUIRED) String action,
        @Schema(description = "when: an ISO-8601 instant in the future", example = "2026-01-01T18:00:00Z") String at,
        @Schema(description = "when: a duration from now (30s, 15m, 2h, PT2H)", example = "2h") String after) {}
