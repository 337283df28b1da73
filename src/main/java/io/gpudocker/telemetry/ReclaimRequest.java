package io.gpudocker.telemetry;

import io.swagger.v3.oas.annotations.media.Schema;

/** An instance's own idle-reclaim policy; fields left out take the operator's default, {@code off} exempts it. */
@Schema(name = "ReclaimRequest", example = "{\"idleBelowPercent\": 10, \"idleFor\": \"30m\", \"action\": \"cardless\", \"grace\": \"5m\"}")
public record ReclaimRequest(
        @Schema(description = "1-100: idle below this mean GPU utilization", example = "10") Integer idleBelowPercent,
        @Schema(description = "for how long (30s, 15m, 2h, PT2H)", example = "30m") String idleFor,
        @Schema(description = "notify, cardless or stop", example = "cardless") String action,
        @Schema(description = "the warning comes this long before the action; shorter than idleFor", example = "5m") String grace,
        @Schema(description = "act even while an exec or terminal session is open", example = "false") Boolean evenWithSessions,
        @Schema(description = "never reclaim this instance, whatever the operator's default", example = "false") Boolean off) {}
