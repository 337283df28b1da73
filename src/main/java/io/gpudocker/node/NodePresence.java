package io.gpudocker.node;

import io.gpudocker.recovery.StartRefusedException;
import io.gpudocker.replicaset.StartupCheck;
import io.gpudocker.event.Event;
import io.gpudocker.event.EventLog;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.NodeLease;
import io.gpudocker.store.Txn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.Ordered;

/**
 * This process as a node: it holds {@code nodes/<name>} under an etcd lease while it lives, so the other nodes see it up
 * (and forward to it) exactly while its heartbeat is current, and no second process can take its name. The first
 * start-up check: nothing is reconciled before the name is held. A restart after a crash ends its previous process's
 * lease at once (remembered in the state directory) instead of waiting for it to run out.
 */
public class NodePresence implements StartupCheck, Ordered, SmartLifecycle, NodeLease {
    private static final Logger log = LoggerFactory.getLogger(NodePresence.class);

    private final KeyValueStore store;
    private final Keys keys;
    private final Duration ttl;
    private final Path leaseFile;
    private final Supplier<NodeStatus> figures;
    private final NodeMembers members;
    private final java.util.function.BooleanSupplier mayRegister;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private volatile java.util.concurrent.ScheduledFuture<?> beating;
    private volatile boolean verified;
    private volatile long lease;
    private volatile String published;
    private volatile boolean running;
    private volatile boolean outage;
    private final EventLog events;

    /** @param figures what the node publishes now (address, readiness, free resources) */
    /** @param mayRegister whether etcd still holds this deployment (a wiped etcd gets no new entry from a heartbeat) */
    public NodePresence(KeyValueStore store, Keys keys, Duration ttl, Path stateDir, String prefix, Supplier<NodeStatus> figures, NodeMembers members,
                        java.util.function.BooleanSupplier mayRegister) {
        this(store, keys, ttl, stateDir, prefix, figures, members, mayRegister, null);
    }

    /** @param events where the node tells that it is up (with its entry) and that it leaves; null: nowhere */
    public NodePresence(KeyValueStore store, Keys keys, Duration ttl, Path stateDir, String prefix, Supplier<NodeStatus> figures, NodeMembers members,
                        java.util.function.BooleanSupplier mayRegister, EventLog events) {
        this.events = events;
        this.mayRegister = mayRegister;
        this.store = store;
        this.keys = keys;
        this.ttl = ttl;
        this.leaseFile = stateDir.resolve("nodes").resolve(keys.node() + "-" + shortHash(prefix) + ".lease");
        this.figures = figures;
        this.members = members;
    }

    @Override
    /** After the start-up guard: a start it refuses writes nothing, not even the node's entry. */
    public int getOrder() { return ORDER; }

    /** Where this check runs among the start-up checks: after {@code StartupGuard} (0). */
    public static final int ORDER = 10;

    @Override
    public synchronized void verify() {
        if (lease != 0) {
            return;
        }
        takeName();
        members.join(figures.get().advertise());
        startBeating();
        verified = true;
    }

    /** Registers under a new lease once the name is free (at once if only this node's previous process held it). */
    private void takeName() {
        String key = keys.node(keys.node());
        Optional<KeyValue> held = store.get(key);
        if (held.isPresent()) {
            endPreviousOrWait(key, held.get());
        }
        register(key);
    }

    private void startBeating() {
        beating = heartbeat.scheduleWithFixedDelay(this::beat, beatPeriod().toMillis(), beatPeriod().toMillis(), TimeUnit.MILLISECONDS);
        running = true;
    }

    private void endPreviousOrWait(String key, KeyValue held) {
        long remembered = readLeaseFile();
        if (remembered != 0 && held.lease() == remembered) {
            store.revokeLease(remembered);
            log.info("node {}: ended the lease of this node's previous process", keys.node());
            return;
        }
        long deadline = System.nanoTime() + ttl.plusSeconds(2).toNanos();
        while (System.nanoTime() < deadline) {
            sleep(500);
            if (store.get(key).isEmpty()) {
                return;
            }
        }
        String holder = store.get(key).map(kv -> Json.read(kv.value(), NodeStatus.class).advertise()).orElse("?");
        throw new StartRefusedException("node name '" + keys.node() + "' is held by another live process (at " + holder + ")",
                "Give this process another --node-name, or stop the other one first; two processes must never act as one node.");
    }

    private void register(String key) {
        long granted = store.grantLease(ttl);
        String value = Json.write(figures.get());
        Txn txn = new Txn().requireAbsent(key).putLeased(key, value, granted);
        if (events != null) {
            events.add(txn, Event.ofNode("node-up", keys.node(), "registered at " + figures.get().advertise()));
        }
        if (!store.commit(txn)) {
            store.revokeLease(granted);
            throw new StartRefusedException("node name '" + keys.node() + "' was taken by another process meanwhile",
                    "Give this process another --node-name, or stop the other one first.");
        }
        lease = granted;
        published = value;
        writeLeaseFile(granted);
        log.info("node {} registered (lease {}, ttl {} s)", keys.node(), Long.toHexString(granted), ttl.toSeconds());
    }

    /** Renews the lease and republishes what changed; after an etcd outage longer than the lease, registers anew. */
    void beat() {
        try {
            if (!store.renewLease(lease)) {
                log.warn("node {}: its lease ran out (etcd unreachable for longer than {} s?); registering again", keys.node(), ttl.toSeconds());
                reRegister();
                return;
            }
            publishIfChanged();
            if (outage) {
                log.info("node {}: heartbeat restored", keys.node());
                outage = false;
            }
        } catch (RuntimeException e) {
            if (!outage) {
                log.warn("node {}: heartbeat failed: {}", keys.node(), e.getMessage());
                outage = true;
            }
        }
    }

    private synchronized void reRegister() {
        if (!mayRegister.getAsBoolean()) {
            if (!outage) {
                log.warn("node {}: etcd no longer holds this deployment's identity; the node is not listed again until it does", keys.node());
                outage = true;
            }
            return;
        }
        String key = keys.node(keys.node());
        if (store.get(key).isPresent()) {
            log.error("node {}: its name is held by another process; this one is not listed until that one stops", keys.node());
            return;
        }
        register(key);
    }

    private synchronized void publishIfChanged() {
        String now = Json.write(figures.get());
        if (now.equals(published)) {
            return;
        }
        String key = keys.node(keys.node());
        if (store.commit(new Txn().requireValue(key, published).putLeased(key, now, lease))) {
            published = now;
        } else {
            reRegister();
        }
    }

    /** Publishes at once (e.g. when the web server opens), rather than at the next beat. */
    public void publishNow() {
        if (lease != 0) {
            try {
                publishIfChanged();
            } catch (RuntimeException e) {
                log.warn("node {}: could not publish its status: {}", keys.node(), e.getMessage());
            }
        }
    }

    private Duration beatPeriod() {
        return ttl.dividedBy(3);
    }

    /**
     * The first registration happens in the start-up checks, before the web server opens; this starts the node again
     * after a {@link #stop()} without the context ending (a paused application context resumed).
     */
    @Override
    public synchronized void start() {
        if (!verified || running) {
            return;
        }
        takeName();
        startBeating();
    }

    /** A graceful stop: the node is shown down at once and the other nodes stop forwarding to it. */
    @Override
    public synchronized void stop() {
        running = false;
        if (beating != null) {
            beating.cancel(false);
        }
        if (lease != 0) {
            if (events != null) {
                events.publish(Event.ofNode("node-down", keys.node(), "left (stopped)"));
            }
            try {
                store.revokeLease(lease);
                log.info("node {} left (lease ended)", keys.node());
            } catch (RuntimeException e) {
                log.warn("node {}: could not end its lease ({}); it shows down within {} s", keys.node(), e.getMessage(), ttl.toSeconds());
            }
            lease = 0;
        }
    }

    @Override
    public boolean isRunning() { return running; }

    @Override
    public long current() { return lease; }

    /** When the context ends: no more heartbeats at all. */
    public void close() {
        stop();
        heartbeat.shutdownNow();
    }

    @Override
    public int getPhase() { return Integer.MAX_VALUE; }

    private long readLeaseFile() {
        try {
            return Files.isRegularFile(leaseFile) ? Long.parseLong(Files.readString(leaseFile).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private void writeLeaseFile(long id) {
        try {
            Files.createDirectories(leaseFile.getParent());
            Files.writeString(leaseFile, Long.toString(id));
        } catch (IOException e) {
            log.warn("node {}: cannot remember its lease in {} ({}); a restart after a crash waits up to {} s for it", keys.node(), leaseFile,
                    e.getMessage(), ttl.toSeconds());
        }
    }

    private static String shortHash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the node name", e);
        }
    }
}
