package io.gpudocker.event;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/**
 * One thing that happened in the cluster. {@code id} is the etcd revision the event was written at: ids grow with
 * every event of every node, so a client that saw id n resumes from there and misses nothing still kept. An event of
 * an instance names its {@code tenant} (null: the admin's); one of a node names none and only the admin sees it.
 */
@Schema(name = "Event")
public record Event(
        @Schema(description = "the etcd revision it was written at; increasing, the SSE id", example = "4711") long id,
        @Schema(description = "created, updated, restarted, rolled-back, running, stopped, paused, exited, deleted, reclaim-warning, "
                + "reclaimed, schedule-ran, schedule-dropped, node-up, node-down", example = "stopped") String type,
        @Schema(example = "2026-01-01T10:00:00Z") Instant at,
        @Schema(description = "the node it happened on", example = "gpu-a") String node,
        @Schema(example = "alice") String tenant,
        @Schema(description = "the replicaset; null for a node's event", example = "train") String instance,
        @Schema(description = "the instance's version after the change", example = "3") Long version,
        @Schema(description = "the instance's state after the change (running, paused, stopped, exited)", example = "stopped") String state,
        @Schema(description = "what more there is to say: the cause of a version, the action of a reclaim or schedule", example = "rollback to 1")
        String detail) {

    /** An event about an instance, its id given when it is written. */
    public static Event ofInstance(String type, String node, String tenant, String instance, Long version, String state, String detail) {
        return new Event(0, type, Instant.now(), node, tenant, instance, version, state, detail);
    }

    /** An event about a node, for the admin. */
    public static Event ofNode(String type, String node, String detail) {
        return new Event(0, type, Instant.now(), node, null, null, null, null, detail);
    }

    Event onNode(String name) {
        return node != null ? this : new Event(id, type, at, name, tenant, instance, version, state, detail);
    }

    Event withId(long revision) {
        return new Event(revision, type, at, node, tenant, instance, version, state, detail);
    }
}
