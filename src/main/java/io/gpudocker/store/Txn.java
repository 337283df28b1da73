package io.gpudocker.store;

import java.util.ArrayList;
import java.util.List;

/**
 * One atomic write: every guard must hold, then every operation applies together, or nothing does.
 * This is how a state change (spec + version + allocations) becomes durable in a single step.
 */
public final class Txn {
    public sealed interface Guard permits Absent, ValueIs, ModRevisionIs {}
    public record Absent(String key) implements Guard {}
    public record ValueIs(String key, String value) implements Guard {}
    public record ModRevisionIs(String key, long revision) implements Guard {}

    public sealed interface Op permits Put, Delete, DeletePrefix {}
    /** {@code lease} 0: the key lives until deleted; otherwise it goes with that etcd lease. */
    public record Put(String key, String value, long lease) implements Op {
        public Put(String key, String value) { this(key, value, 0); }
    }
    public record Delete(String key) implements Op {}
    public record DeletePrefix(String prefix) implements Op {}

    private final List<Guard> guards = new ArrayList<>();
    private final List<Op> ops = new ArrayList<>();
    /** Guards on keys other writers move all the time (a tenant's counts): one that fails means build again, not refuse. */
    private final List<Guard> contended = new ArrayList<>();

    public Txn requireAbsent(String key) { guards.add(new Absent(key)); return this; }

    public Txn requireValue(String key, String value) { guards.add(new ValueIs(key, value)); return this; }

    public Txn requireModRevision(String key, long revision) { guards.add(new ModRevisionIs(key, revision)); return this; }

    public Txn put(String key, String value) { ops.add(new Put(key, value)); return this; }

    /** A key that etcd removes by itself when {@code lease} expires or is revoked. */
    public Txn putLeased(String key, String value, long lease) { ops.add(new Put(key, value, lease)); return this; }

    public Txn delete(String key) { ops.add(new Delete(key)); return this; }

    public Txn deletePrefix(String prefix) { ops.add(new DeletePrefix(prefix)); return this; }

    /** Adds every guard, operation and contended guard of {@code other}: parts of one write built by different owners. */
    public Txn and(Txn other) {
        guards.addAll(other.guards);
        ops.addAll(other.ops);
        contended.addAll(other.contended);
        return this;
    }

    public List<Guard> guards() { return List.copyOf(guards); }

    /**
     * Marks the guards added since the first {@code from} as contended: when the commit fails on one of them, the
     * writer reads again and builds the transaction anew, for the record itself may be just as it read it.
     */
    public Txn contendedFrom(int from) {
        contended.addAll(guards.subList(from, guards.size()));
        return this;
    }

    public List<Guard> contended() { return List.copyOf(contended); }

    public List<Op> ops() { return List.copyOf(ops); }

}
