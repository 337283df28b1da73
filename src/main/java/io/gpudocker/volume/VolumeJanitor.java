package io.gpudocker.volume;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.store.Cluster;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Stored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes superseded volume versions once no container (running or not) mounts them. A resize keeps the
 * old version because a container may still mount it; this runs on the work queue after every resize,
 * at startup, on volume calls and once a minute, so an old version goes soon after its last container.
 */
public class VolumeJanitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VolumeJanitor.class);
    private static final long PERIOD_SECONDS = 60;

    private final VolumeRepository repo;
    private final VolumeEngine engine;
    private final NameLocks locks;
    private final Executor workQueue;
    private final String owner;
    private final Intents operations;
    private final ClusterIdentity identity;
    /** Volumes already reported as kept for want of a proof, so each is logged once. */
    private final Set<String> reportedKept = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean queued = new AtomicBoolean();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "volume-janitor-tick");
        t.setDaemon(true);
        return t;
    });

    public VolumeJanitor(VolumeRepository repo, VolumeEngine engine, NameLocks locks, Executor workQueue, String owner,
                         Intents operations, ClusterIdentity identity) {
        this.repo = repo;
        this.engine = engine;
        this.locks = locks;
        this.workQueue = workQueue;
        this.owner = owner;
        this.operations = operations;
        this.identity = identity;
    }

    /** Starts the periodic sweep; the first one runs now. */
    public void start() {
        ticker.scheduleWithFixedDelay(this::schedule, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    /** Queues one sweep of every volume; a sweep already queued but not started covers this call too. */
    public void schedule() {
        if (!queued.compareAndSet(false, true)) {
            return;
        }
        try {
            workQueue.execute(() -> {
                queued.set(false);
                sweepAll();
            });
        } catch (RuntimeException e) {
            queued.set(false);
            log.warn("could not queue the sweep of superseded volume versions: {}", e.getMessage());
        }
    }

    /**
     * One sweep: superseded versions of every volume, then Docker volumes an unfinished operation proves
     * uncommitted. Nothing is done before the start-up checks confirmed this deployment's identity, nor while
     * etcd does not hold it (wiped or replaced under the running service).
     */
    public void sweepAll() {
        try {
            if (!identity.holds()) {
                return;
            }
            for (VolumeRecord r : repo.local()) {
                sweep(r.name());
            }
            sweepUncommitted();
        } catch (RuntimeException e) {
            log.warn("sweeping superseded volume versions failed, the next sweep retries: {}", e.getMessage());
        }
    }

    /** Removes the versions of {@code name} older than the current one that no container mounts; returns their Docker names. */
    public List<String> sweep(String name) {
        List<String> removed = new ArrayList<>();
        try (var held = locks.lock(VolumeNames.lockKey(name))) {
            Optional<Stored<VolumeRecord>> stored = repo.find(name);
            if (stored.isEmpty()) {
                return removed;
            }
            long current = stored.get().record().version();
            for (VolumeVersion v : repo.history(name)) {
                if (v.version() >= current) {
                    continue;
                }
                Optional<VolumeSummary> docker = engine.inspectVolume(v.dockerName());
                if (docker.isEmpty() || !ManagedLabels.isVolumeOf(docker.get().labels(), owner, name)) {
                    continue;
                }
                List<String> users = engine.containersUsingVolume(v.dockerName());
                if (!users.isEmpty()) {
                    log.debug("volume {}: superseded version {} is still mounted by {}", name, v.dockerName(), users);
                    continue;
                }
                try {
                    engine.removeVolume(v.dockerName());
                    removed.add(v.dockerName());
                } catch (RuntimeException e) {
                    log.warn("volume {}: superseded version {} could not be removed yet ({}); the next sweep retries", name, v.dockerName(), e.getMessage());
                }
            }
        }
        if (!removed.isEmpty()) {
            log.info("volume {}: removed superseded versions {} (no container mounts them any more)", name, removed);
        }
        return removed;
    }

    /**
     * Removes this service's Docker volumes that an unfinished operation's intent proves uncommitted: left by a
     * create or resize killed between creating the Docker volume and writing its record. A volume with no
     * record and no intent may hold data whose record is missing: it is kept, whatever etcd says.
     */
    public List<String> sweepUncommitted() {
        if (!identity.holds()) {
            return List.of();
        }
        Cluster cluster = identity.cluster();
        Set<String> withIntents = new HashSet<>();
        operations.all().stream().filter(o -> Intent.VOLUME.equals(o.kind())).forEach(o -> withIntents.add(o.name()));
        List<String> removed = new ArrayList<>();
        for (String name : withIntents) {
            try (var held = locks.lock(VolumeNames.lockKey(name))) {
                // listed under the lock, so a volume made after any earlier look is seen before its intent is dropped
                removed.addAll(removeUncommitted(name, ours(engine.listVolumesByLabels(Map.of(ManagedLabels.OWNER, owner, ManagedLabels.VOLUME, name)), cluster)));
            }
        }
        Map<String, List<VolumeSummary>> byName = new HashMap<>();
        for (VolumeSummary v : ours(engine.listVolumesByLabels(ManagedLabels.owner(owner)), cluster)) {
            byName.computeIfAbsent(v.labels().get(ManagedLabels.VOLUME), n -> new ArrayList<>()).add(v);
        }
        byName.keySet().removeAll(withIntents);
        Map<String, Intent> unfinished = new HashMap<>();
        operations.all().forEach(o -> unfinished.put(o.id(), o));
        byName.forEach((name, views) -> reportKept(name, views, unfinished));
        if (!removed.isEmpty()) {
            log.info("removed Docker volumes {} left by an interrupted create or resize (their operation never committed)", removed);
        }
        return removed;
    }

    /** Under the volume's lock, with its intents read under that lock (one seen earlier may have committed since). */
    private List<String> removeUncommitted(String name, List<VolumeSummary> views) {
        List<Intent> intents = operations.of(Intent.VOLUME, name);
        List<String> removed = new ArrayList<>();
        List<String> unfinished = new ArrayList<>();
        List<VolumeSummary> unproven = new ArrayList<>();
        for (VolumeSummary v : views) {
            String madeBy = v.labels().get(ManagedLabels.OPERATION);
            boolean proven = madeBy != null && intents.stream().anyMatch(o -> o.id().equals(madeBy));
            if (proven && engine.containersUsingVolume(v.name()).isEmpty()) {
                engine.removeVolume(v.name());
                removed.add(v.name());
            } else if (proven) {
                unfinished.add(madeBy);
            } else {
                unproven.add(v);
            }
        }
        intents.stream().filter(o -> !unfinished.contains(o.id())).forEach(operations::drop);
        reportKept(name, unproven, Map.of());
        return removed;
    }

    /**
     * Docker volumes of a version no record commits: kept, and said so once each. One an unfinished operation of
     * another kind made (a move to this node, whose intent is the instance's) is that operation's to commit or remove;
     * any other is never removed on the word of an absent record.
     */
    private void reportKept(String name, List<VolumeSummary> views, Map<String, Intent> unfinished) {
        if (views.stream().allMatch(v -> reportedKept.contains(v.name()))) {
            return;
        }
        long committed = repo.find(name).map(s -> s.record().version()).orElse(0L);
        for (VolumeSummary v : views) {
            if (ManagedLabels.version(v.labels()) > committed && reportedKept.add(v.name())) {
                Intent madeBy = unfinished.get(v.labels().get(ManagedLabels.OPERATION));
                if (madeBy != null) {
                    log.info("volume {}: kept Docker volume {}: the unfinished operation {} ({} of {} '{}') made it and commits or removes it",
                            name, v.name(), madeBy.id(), madeBy.action(), madeBy.kind(), madeBy.name());
                } else {
                    log.warn("volume {}: kept Docker volume {}: no record commits its version and no unfinished operation made it; "
                            + "it is never removed on the word of an absent record", name, v.name());
                }
            }
        }
    }

    /** Volumes of this deployment (or adopted by a recovery, or older than the cluster label): only those are ever acted on. */
    private static List<VolumeSummary> ours(List<VolumeSummary> volumes, Cluster cluster) {
        return volumes.stream().filter(v -> v.labels() != null && v.labels().get(ManagedLabels.VOLUME) != null).filter(v -> {
            String madeFor = v.labels().get(ManagedLabels.CLUSTER);
            return madeFor == null || cluster.accepts(madeFor);
        }).toList();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
