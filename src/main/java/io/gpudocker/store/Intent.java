package io.gpudocker.store;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The intent of one operation, written to etcd before it creates or removes a Docker object and dropped in
 * the transaction that commits it. While it exists, what carries its id (or, for a delete, what it lists)
 * was never committed: the reconcile may remove it. Nothing else is ever removed for want of a record.
 *
 * @param kind    "replicaset" or "volume"
 * @param action  "create", "update", "resize", "delete", "move-out" or "move-in"
 * @param objects for a delete, the ids of the Docker objects it removes
 */
public record Intent(String id, String kind, String action, String name, long version, List<String> objects, Instant createTime) {
    public static final String REPLICASET = "replicaset";
    public static final String VOLUME = "volume";
    public static final String DELETE = "delete";
    /** A move's source: version N was (or is about to be) stopped for a move that has not committed; a reconcile starts N again. */
    public static final String MOVE_OUT = "move-out";
    /** A move's target: what carries its id was made for a move that has not committed. */
    public static final String MOVE_IN = "move-in";
    /** A move's target gave the move up: it can no longer commit, and what carries its id is being removed. */
    public static final String MOVE_IN_GIVEN_UP = "move-in-given-up";

    public Intent {
        objects = objects == null ? List.of() : List.copyOf(objects);
    }

    public static Intent start(String kind, String action, String name, long version) {
        return new Intent(newId(), kind, action, name, version, List.of(), Instant.now());
    }

    public static Intent deleting(String kind, String name, long version, List<String> objects) {
        return new Intent(newId(), kind, DELETE, name, version, objects, Instant.now());
    }

    public boolean isDelete() { return DELETE.equals(action); }

    /** The same intent (same id, so it still proves what carries it uncommitted) marked with another action. */
    public Intent as(String otherAction) {
        return new Intent(id, kind, otherAction, name, version, objects, createTime);
    }

    /** Whether this operation is about {@code name} of {@code kind}. */
    public boolean concerns(String kind, String name) {
        return this.kind.equals(kind) && this.name.equals(name);
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
