package io.gpudocker.event;

import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes events into etcd, where every node's {@link EventFeed} sees them. A state change's event goes into the
 * change's own transaction ({@link #add}), so it is told exactly when the change lands; an event of its own (a reclaim
 * warning, a node up) is written alone ({@link #publish}) and never fails its caller.
 */
public class EventLog {
    private static final Logger log = LoggerFactory.getLogger(EventLog.class);

    private final KeyValueStore store;
    private final Keys keys;
    private final AtomicLong sequence = new AtomicLong();
    private volatile String lastFailure;

    public EventLog(KeyValueStore store, Keys keys) {
        this.store = store;
        this.keys = keys;
    }

    /** Adds the event (of this node, unless it names one) to the transaction: it is written if and only if the transaction lands. */
    public void add(Txn txn, Event event) {
        txn.put(key(), Json.write(event.onNode(keys.node())));
    }

    /** Writes the event now; an etcd that does not answer costs the event (one WARN line), never the caller's work. */
    public void publish(Event event) {
        try {
            store.commit(new Txn().put(key(), Json.write(event.onNode(keys.node()))));
            lastFailure = null;
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
                log.warn("event {} of {} not recorded: {}", event.type(), event.instance() != null ? event.instance() : event.node(), e.getMessage());
            }
            lastFailure = String.valueOf(e.getMessage());
        }
    }

    /** Milliseconds first, so the oldest keys sort first and trimming removes them; node and sequence keep keys apart. */
    private String key() {
        return keys.events() + String.format("%013d-%s-%d", System.currentTimeMillis(), keys.node(), sequence.incrementAndGet());
    }
}
