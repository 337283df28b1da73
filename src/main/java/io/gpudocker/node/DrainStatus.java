package io.gpudocker.node;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/**
 * How the drain of a node goes, as {@code GET /api/v1/nodes} shows it (kept at {@code drains/<node>} in etcd, so any node
 * answers it): the instances in the order they are moved, each with where it went or why it stays.
 */
@Schema(name = "DrainStatus")
public record DrainStatus(
        @Schema(description = "running, or done (every instance moved or reported)", example = "running") String state,
        Instant startedAt,
        Instant finishedAt,
        @Schema(description = "the instance being moved now; null when none", nullable = true) String moving,
        List<Entry> instances) {

    public static final String RUNNING = "running";
    public static final String DONE = "done";

    public DrainStatus {
        instances = instances == null ? List.of() : List.copyOf(instances);
    }

    /** One instance of the node: {@code waiting}, {@code moved} (to {@code node}) or {@code stays} (because {@code reason}). */
    public record Entry(String name, String outcome, String node, String reason) {}
}
