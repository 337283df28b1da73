package io.gpudocker.telemetry;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;

/**
 * An idle-reclaim policy: GPUs whose mean utilization stays below {@code idleBelowPercent} for {@code idleFor} get
 * {@code action} (notify, cardless or stop), warned {@code grace} before; an open exec or terminal session spares the
 * instance unless {@code evenWithSessions}. {@code off}: the instance is never reclaimed, whatever the operator's
 * default. {@code source} says where the policy an instance is under comes from: its own or the operator's default.
 */
@Schema(name = "ReclaimPolicy")
public record ReclaimPolicy(
        @Schema(example = "10") Integer idleBelowPercent,
        @Schema(description = "ISO-8601 duration", example = "PT30M") Duration idleFor,
        @Schema(description = "notify, cardless or stop", example = "cardless") String action,
        @Schema(description = "ISO-8601 duration", example = "PT5M") Duration grace,
        @Schema(example = "false") boolean evenWithSessions,
        @Schema(description = "never reclaimed", example = "false") boolean off,
        @Schema(description = "instance (set for it) or default (the operator's)", example = "instance") String source) {

    static final ReclaimPolicy NONE = new ReclaimPolicy(null, null, null, null, false, true, "default");

    ReclaimPolicy from(String where) {
        return new ReclaimPolicy(idleBelowPercent, idleFor, action, grace, evenWithSessions, off, where);
    }

    /** The same rule, wherever it was set: a change of rule restarts the count of an idle stretch, a re-read does not. */
    boolean sameRule(ReclaimPolicy other) {
        return other != null && off == other.off && evenWithSessions == other.evenWithSessions && java.util.Objects.equals(idleBelowPercent, other.idleBelowPercent)
                && java.util.Objects.equals(idleFor, other.idleFor) && java.util.Objects.equals(action, other.action)
                && java.util.Objects.equals(grace, other.grace);
    }
}
