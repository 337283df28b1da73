package io.gpudocker.replicaset;

import io.gpudocker.event.Event;
import io.gpudocker.event.EventLog;
import io.gpudocker.store.RecordChangeHook;
import io.gpudocker.store.Txn;
import io.gpudocker.store.Versioned;
import java.util.Locale;

/**
 * Tells each state change of a replicaset as an event, in the change's own transaction: every create, new version
 * (its cause says patch, restart or rollback), stop, pause, continue, exit and delete passes through the record's
 * write, whoever made it (a call, a schedule, the idle reclaim, the reconcile). A write that changes neither state nor
 * version (a node claiming an old record) tells nothing.
 */
public class ReplicaSetEvents implements RecordChangeHook<ReplicaSetRecord> {
    private final EventLog events;

    public ReplicaSetEvents(EventLog events) {
        this.events = events;
    }

    @Override
    public void contribute(Txn txn, ReplicaSetRecord before, ReplicaSetRecord after) {
        contribute(txn, before, after, null);
    }

    @Override
    public void contribute(Txn txn, ReplicaSetRecord before, ReplicaSetRecord after, Versioned newVersion) {
        String type;
        String detail = null;
        if (after == null) {
            type = "deleted";
        } else if (before == null) {
            type = "created";
        } else if (newVersion instanceof ReplicaSetVersion v) {
            detail = v.cause();
            type = v.cause().startsWith("rollback") ? "rolled-back" : "restart".equals(v.cause()) ? "restarted" : "updated";
        } else if (before.state() != after.state()) {
            type = state(after);
        } else {
            return;
        }
        ReplicaSetRecord r = after != null ? after : before;
        events.add(txn, Event.ofInstance(type, r.node(), r.tenant(), r.name(), r.version(), after == null ? null : state(after), detail));
    }

    private static String state(ReplicaSetRecord r) {
        return r.state().name().toLowerCase(Locale.ROOT);
    }
}
