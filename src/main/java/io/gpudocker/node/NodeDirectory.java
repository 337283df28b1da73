package io.gpudocker.node;

import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The nodes as etcd knows them: members (lasting) and the live ones (under their leases). Every read is one range read. */
public class NodeDirectory {
    private static final Logger log = LoggerFactory.getLogger(NodeDirectory.class);
    private final KeyValueStore store;
    private final Keys keys;

    public NodeDirectory(KeyValueStore store, Keys keys) {
        this.store = store;
        this.keys = keys;
    }

    /** This process's node name. */
    public String self() { return keys.node(); }

    /** The live nodes by name. */
    public Map<String, NodeStatus> live() {
        Map<String, NodeStatus> out = new TreeMap<>();
        for (KeyValue kv : store.list(keys.nodes())) {
            parse(kv, NodeStatus.class).ifPresent(s -> out.put(s.name(), s));
        }
        return out;
    }

    public Optional<NodeStatus> live(String name) {
        return store.get(keys.node(name)).flatMap(kv -> parse(kv, NodeStatus.class));
    }

    /**
     * As {@link #live(String)}, from a view at most {@code maxAge} old: forwarding reads where a node is on every call,
     * and a node's liveness is only as fresh as its lease anyway. A view past half that age is still used and read anew
     * in the background, so that calls following each other do not wait for that read; only one older than
     * {@code maxAge} (no call for a while) is read on the caller's thread.
     */
    public Optional<NodeStatus> recentlyLive(String name, Duration maxAge) {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        if (s == null || now - s.taken() > maxAge.toNanos()) {
            s = new Snapshot(live(), now);
            snapshot = s;
        } else if (now - s.taken() > maxAge.toNanos() / 2 && refreshing.compareAndSet(false, true)) {
            refreshInBackground();
        }
        return Optional.ofNullable(s.nodes().get(name));
    }

    private void refreshInBackground() {
        try {
            refresher().execute(() -> {
                try {
                    long taken = System.nanoTime();
                    snapshot = new Snapshot(live(), taken);
                } catch (RuntimeException e) {
                    // etcd did not answer: the next call past the age limit reads it itself and hears why
                } finally {
                    refreshing.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            refreshing.set(false);
        }
    }

    private synchronized Executor refresher() {
        if (refresher == null) {
            refresher = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "node-liveness");
                t.setDaemon(true);
                return t;
            });
        }
        return refresher;
    }

    /** Ends the background reads (the bean's destroy method). */
    public synchronized void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }

    private record Snapshot(Map<String, NodeStatus> nodes, long taken) {}

    private volatile Snapshot snapshot;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private ExecutorService refresher;

    /** Every member by name, live or not. */
    public Map<String, NodeMember> members() {
        Map<String, NodeMember> out = new LinkedHashMap<>();
        for (KeyValue kv : store.list(keys.nodeMembers())) {
            parse(kv, NodeMember.class).ifPresent(m -> out.put(m.name(), m));
        }
        return out;
    }

    public Optional<NodeMember> member(String name) {
        return store.get(keys.nodeMember(name)).flatMap(kv -> parse(kv, NodeMember.class));
    }

    /** The last drain of each node that was drained, by node name. */
    public Map<String, DrainStatus> drains() {
        Map<String, DrainStatus> out = new TreeMap<>();
        for (KeyValue kv : store.list(keys.drains())) {
            parse(kv, DrainStatus.class).ifPresent(d -> out.put(Keys.lastSegment(kv.key()), d));
        }
        return out;
    }

    /** Writes the drain of this node as it stands. */
    public void drainOfSelf(DrainStatus status) {
        store.commit(new io.gpudocker.store.Txn().put(keys.drain(keys.node()), Json.write(status)));
    }

    private static <T> Optional<T> parse(KeyValue kv, Class<T> type) {
        try {
            return Optional.of(Json.read(kv.value(), type));
        } catch (RuntimeException e) {
            log.warn("skipping {}: not a node entry of this service ({})", kv.key(), e.getMessage());
            return Optional.empty();
        }
    }
}
