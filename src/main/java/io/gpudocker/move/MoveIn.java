package io.gpudocker.move;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.copy.CopyReport;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.replicaset.Holdings;
import io.gpudocker.replicaset.HoldingsReservations;
import io.gpudocker.replicaset.HoldingsReservations.Reservation;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.Snapshots;
import io.gpudocker.replicaset.ReplicaSetVersion;
import io.gpudocker.replicaset.ReplicaSetViews;
import io.gpudocker.replicaset.VersionPlaces;
import io.gpudocker.replicaset.VersionContainers;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Stored;
import io.gpudocker.store.Txn;
import io.gpudocker.volume.DockerVolumes;
import io.gpudocker.volume.VolumeNames;
import io.gpudocker.volume.VolumeSize;
import io.gpudocker.volume.VolumeSizeSupport;
import io.gpudocker.volume.VolumeVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target's side of a move. Under an intent of its own ({@code operations/<this node>/<id>}, action {@value #ACTION}),
 * written before anything is made, it takes the GPUs, ports, cores and memory, makes the volumes' new versions and
 * version N+1's container (not started), unpacks what the source streams into them, and starts the container. The
 * source commits the move in one transaction that requires this intent and drops it: while the intent exists, what
 * carries its id was never committed.
 *
 * <p>A move given up (the source aborts, goes quiet for {@code idleLimit}, or this process restarted) is first claimed
 * in etcd, by deleting the intent only if it is still there: once that holds, the source's commit can no longer land,
 * and what was made is removed. When the intent is gone already, the commit landed and what was made is the instance's.
 */
public class MoveIn {
    static final String ACTION = Intent.MOVE_IN;
    private static final Logger log = LoggerFactory.getLogger(MoveIn.class);

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final VolumeEngine volumeEngine;
    private final VersionContainers containers;
    private final HoldingsReservations reservations;
    private final NameLocks locks;
    private final Intents intents;
    private final KeyValueStore store;
    private final Keys keys;
    private final DockerVolumes dockerVolumes;
    private final VolumeSizeSupport sizeSupport;
    private final NodeCalls calls;
    private final TarStreams tar;
    private final SystemDiskCopier copier;
    private final Duration idleLimit;
    private final Clock clock;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** Intents written by a prepare still running: never claimed by the sweep. */
    private final Set<String> preparing = ConcurrentHashMap.newKeySet();

    public MoveIn(ReplicaSetRepository repo, ContainerEngine engine, VolumeEngine volumeEngine, VersionContainers containers,
                  HoldingsReservations reservations, NameLocks locks, Intents intents, KeyValueStore store, Keys keys, DockerVolumes dockerVolumes,
                  VolumeSizeSupport sizeSupport, NodeCalls calls, TarStreams tar, SystemDiskCopier copier, Duration idleLimit, Clock clock) {
        this.tar = tar;
        this.copier = copier;
        this.repo = repo;
        this.engine = engine;
        this.volumeEngine = volumeEngine;
        this.containers = containers;
        this.reservations = reservations;
        this.locks = locks;
        this.intents = intents;
        this.store = store;
        this.keys = keys;
        this.dockerVolumes = dockerVolumes;
        this.sizeSupport = sizeSupport;
        this.calls = calls;
        this.idleLimit = idleLimit;
        this.clock = clock;
    }

    /** One move arriving here, between its prepare and its settle or abort. */
    private final class Pending {
        final String moveId;
        final String source;
        final Caller caller;
        final Intent intent;
        final String intentValue;
        final Reservation reservation;
        final ReplicaSetVersion version;
        final Map<String, String> volumeTargets;
        final Deque<Runnable> undo;
        /** A rollback to a version held here: the system disk is copied here, not pulled. */
        final boolean rollback;
        /** The source's process when the move began: a source that died or restarted since never comes back for it. */
        final Optional<Instant> sourceIncarnation;
        volatile Instant touched;
        volatile boolean busy;
        /** Its copy failed: it can never commit, and is given up at the next sweep if giving it up at once failed too. */
        volatile boolean failed;

        Pending(String moveId, String source, Caller caller, Intent intent, String intentValue, Reservation reservation, ReplicaSetVersion version,
                Map<String, String> volumeTargets, Deque<Runnable> undo, boolean rollback) {
            this.rollback = rollback;
            this.moveId = moveId;
            this.source = source;
            this.caller = caller;
            this.intent = intent;
            this.intentValue = intentValue;
            this.reservation = reservation;
            this.version = version;
            this.volumeTargets = volumeTargets;
            this.undo = undo;
            this.sourceIncarnation = calls.incarnation(source);
            this.touched = clock.instant();
        }
    }

    public MoveRequests.Prepared prepare(String sender, String name, MoveRequests.Prepare req, Caller caller) {
        try (var held = locks.lock(name)) {
            if (pending.containsKey(name)) {
                throw ApiException.of(ErrorCode.MOVE_IN_PROGRESS, "replicaset '%s' is already being moved to this node", name);
            }
            Stored<ReplicaSetRecord> stored = repo.find(name).filter(s -> caller.maySee(s.record().tenant()))
                    .orElseThrow(() -> ApiException.of(ErrorCode.REPLICASET_NOT_FOUND, "replicaset '%s' does not exist", name));
            if (!sender.equals(stored.record().node()) || !sender.equals(req.sourceNode())) {
                throw ApiException.of(ErrorCode.MOVE_NOT_PENDING, "replicaset '%s' is on node '%s'; node '%s' cannot move it", name, stored.record().node(), sender);
            }
            // its volumes are checked by the source, where they are; here only what runs it
            containers.requireRunnable(req.spec().withBinds(List.of()), req.tenant());
            ContainerDetail rollbackFiles = req.rollbackTo() == null ? null : rollbackSource(name, req.rollbackTo());
            // a stopped instance holds nothing, here as on its source: a restart takes what it needs then
            Reservation reservation = req.stopped() ? null : reservations.reserveArriving(name, req.spec(), req.wantedPorts());
            Intent intent = Intent.start(Intent.REPLICASET, ACTION, name, req.version());
            Deque<Runnable> undo = new ArrayDeque<>();
            preparing.add(intent.id());
            try {
                intents.begin(intent);
                String cause = req.rollbackTo() == null ? VersionPlaces.arrivedFrom(sender) : VersionPlaces.rolledBackFrom(req.rollbackTo(), sender);
                Map<String, String> volumeTargets = new LinkedHashMap<>();
                Map<String, String> rename = new LinkedHashMap<>();
                List<VolumeVersion> volumes = new ArrayList<>();
                for (MoveRequests.VolumeIn v : req.volumes()) {
                    long number = dockerVolumes.freeVersion(v.name(), v.proposedVersion());
                    boolean enforced = v.sizeEnforced() && v.sizeBytes() != null && sizeSupport.enforced();
                    VolumeVersion vv = new VolumeVersion(v.name(), number, VolumeNames.dockerName(v.name(), number), v.sizeBytes(), v.size(), enforced,
                            clock.instant(), cause);
                    dockerVolumes.create(vv, v.sizeBytes() == null ? null : new VolumeSize(v.sizeBytes(), v.size()), intent, req.tenant());
                    undo.push(() -> volumeEngine.removeVolume(vv.dockerName()));
                    volumes.add(vv);
                    volumeTargets.put(v.sourceDockerName(), vv.dockerName());
                    rename.put(v.sourceDockerName(), vv.dockerName());
                }
                List<Bind> binds = req.spec().binds().stream().map(b -> new Bind(rename.getOrDefault(b.src(), b.src()), b.dest())).toList();
                var h = reservation == null ? Holdings.NONE : reservation.holdings();
                ReplicaSetVersion version = new ReplicaSetVersion(name, req.version(), ReplicaSetRecord.containerName(name, req.version()), clock.instant(),
                        cause, req.spec().withBinds(binds), h.gpus(), h.ports(), h.cores(), h.memory(),
                        reservation == null ? 0 : reservation.shmSize());
                engine.create(containers.specOf(version, req.tenant(), intent.id()));
                undo.push(() -> engine.remove(version.containerName()));
                ReplicaSetViews.CopyView copied = null;
                if (rollbackFiles != null) {
                    // K is stopped and its files stay as they are: copied while N still runs on the source, at no cost to its downtime
                    ContainerDetail fresh = engine.inspect(version.containerName())
                            .orElseThrow(() -> new IllegalStateException("container " + version.containerName() + " vanished after create"));
                    CopyReport copy = copier.copy(rollbackFiles, fresh);
                    // on disk before the source can commit: a crash of this node after the commit must not lose what the record names
                    onDisk(name, Map.of("part=disk", Path.of(fresh.upperDir())));
                    copied = new ReplicaSetViews.CopyView(copy.method().label(), copy.millis(), copy.bytes());
                }
                String value = Json.write(intent);
                pending.put(name, new Pending(req.moveId(), sender, caller, intent, value, reservation, version, volumeTargets, undo, rollbackFiles != null));
                log.info("replicaset {}: {} from node {} as version {}{} (container {}), GPUs {}, ports {} (move {})", name,
                        rollbackFiles == null ? "moving in" : "rolling back to version " + req.rollbackTo() + " here", sender, version.version(),
                        req.stopped() ? ", stopped" : "", version.containerName(), h.gpus(), h.ports(), req.moveId());
                return new MoveRequests.Prepared(intent.id(), value, version, volumes, volumeTargets, copied);
            } catch (RuntimeException e) {
                undo.forEach(step -> Undo.after(e, step));
                if (reservation != null) {
                    Undo.after(e, reservation::undo);
                }
                Undo.after(e, () -> intents.drop(intent));
                throw e;
            } finally {
                preparing.remove(intent.id());
            }
        }
    }

    /** Version K's container, here, whose own layer a rollback's N+1 starts from; refused before anything is taken when it is gone. */
    private ContainerDetail rollbackSource(String name, long k) {
        return Snapshots.restorable(engine, copier, name, k, keys.node());
    }

    /**
     * Pulls the system disk and every volume from the source and unpacks them into what prepare made, all at once (each
     * its own stream and pair of tar processes, so a host with cores to spare copies them side by side). {@code last}:
     * the source is stopped and this is the copy that makes the trees equal; else the first of two, made while it runs.
     */
    public MoveRequests.Received receive(String sender, String name, String moveId, boolean last) {
        Pending p = require(sender, name, moveId);
        p.busy = true;
        try {
            ContainerDetail fresh = engine.inspect(p.version.containerName())
                    .orElseThrow(() -> new IllegalStateException("container " + p.version.containerName() + " vanished after create"));
            String pass = "&pass=" + (last ? "final" : "first");
            Map<String, Path> parts = new LinkedHashMap<>();
            if (!p.rollback) {
                // a rollback's system disk is version K's, copied here at the prepare
                parts.put("part=disk" + pass, Path.of(fresh.upperDir()));
            }
            for (Map.Entry<String, String> v : p.volumeTargets.entrySet()) {
                String mount = volumeEngine.inspectVolume(v.getValue()).map(VolumeSummary::mountpoint)
                        .orElseThrow(() -> new IllegalStateException("volume " + v.getValue() + " vanished after create"));
                parts.put("part=volume&volume=" + URLEncoder.encode(v.getKey(), StandardCharsets.UTF_8) + pass, Path.of(mount));
            }
            long bytes;
            try (WriteBack writing = WriteBack.during(parts.values(), name)) {
                bytes = pullAll(p, name, parts);
            }
            if (last) {
                onDisk(name, parts);
            }
            return new MoveRequests.Received(bytes);
        } catch (RuntimeException e) {
            // a move whose files did not all arrive cannot commit: given up here at once, so a source that died meanwhile leaves nothing
            p.failed = true;
            try {
                giveUp(name, p, "its files did not arrive: " + reason(e));
            } catch (RuntimeException notNow) {
                // etcd may be what failed the copy: the sweep gives it up once it answers again, not after the idle limit
                e.addSuppressed(notNow);
            }
            throw e;
        } finally {
            p.touched = clock.instant();
            p.busy = false;
        }
    }

    /** The move commits once this answers: what it names on this node must survive this node's crash. */
    private static void onDisk(String name, Map<String, Path> parts) {
        try {
            WriteBack.now(parts.values());
        } catch (IOException e) {
            throw ApiException.of(ErrorCode.MOVE_FAILED, "replicaset '%s': the copied files could not be written to disk: %s", name, reason(e));
        }
    }

    /** Each part pulled on a thread of its own; the first failure is the answer, once every pull has ended. */
    private long pullAll(Pending p, String name, Map<String, Path> parts) {
        if (parts.isEmpty()) {
            return 0;
        }
        if (parts.size() == 1) {
            Map.Entry<String, Path> only = parts.entrySet().iterator().next();
            return pull(p, name, only.getKey(), only.getValue());
        }
        ExecutorService pool = Executors.newFixedThreadPool(parts.size(), r -> {
            Thread t = new Thread(r, "move-pull-" + name);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Long>> pulls = new ArrayList<>();
            parts.forEach((part, into) -> pulls.add(pool.submit(() -> pull(p, name, part, into))));
            long bytes = 0;
            RuntimeException failed = null;
            for (Future<Long> f : pulls) {
                try {
                    bytes += f.get();
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    if (failed == null) {
                        failed = cause;
                    } else {
                        failed.addSuppressed(cause);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw ApiException.of(ErrorCode.MOVE_FAILED, "replicaset '%s': interrupted while copying from node '%s'", name, p.source);
                }
            }
            if (failed != null) {
                throw failed;
            }
            return bytes;
        } finally {
            pool.shutdownNow();
        }
    }

    private long pull(Pending p, String name, String part, Path into) {
        String path = URLEncoder.encode(name, StandardCharsets.UTF_8) + "/export?move=" + URLEncoder.encode(p.moveId, StandardCharsets.UTF_8) + "&" + part;
        try (InputStream in = calls.stream(p.source, path, p.caller)) {
            return tar.unpack(in, into);
        } catch (IOException e) {
            throw ApiException.of(ErrorCode.MOVE_FAILED, "replicaset '%s': copying %s from node '%s' failed: %s", name, part, p.source, reason(e));
        }
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * The names of {@code name}'s containers here, for the node it runs on now (a history naming versions a move left
     * here); only for a caller who may see the instance, as the history it is asked for is.
     */
    public List<String> containersOf(String name, Caller caller) {
        repo.requireVisible(name, caller);
        return containers.of(name).stream().map(ContainerSummary::name).sorted().toList();
    }

    public void start(String sender, String name, String moveId) {
        Pending p = require(sender, name, moveId);
        engine.start(p.version.containerName());
        p.touched = clock.instant();
    }

    /** The source committed the move: what was reserved is the instance's now. */
    public void settle(String sender, String name, String moveId) {
        Pending p = require(sender, name, moveId);
        settled(name, p);
    }

    private void settled(String name, Pending p) {
        if (pending.remove(name, p)) {
            if (p.reservation != null) {
                p.reservation.settle();
            }
            log.info("replicaset {}: {} from node {}, version {} {} here (move {})", name, p.rollback ? "rolled back" : "moved in", p.source,
                    p.version.version(), p.reservation == null ? "is" : "runs", p.moveId);
        }
    }

    /** The source gave the move up: claimed, then undone; a move already committed is settled instead. */
    public void abort(String sender, String name, String moveId) {
        Optional.ofNullable(pending.get(name)).filter(p -> p.moveId.equals(moveId) && p.source.equals(sender)).ifPresent(p -> giveUp(name, p, "the source gave it up"));
    }

    private void giveUp(String name, Pending p, String why) {
        try (var held = locks.lock(name)) {
            if (pending.get(name) != p) {
                return;
            }
            if (claim(p.intent, p.intentValue)) {
                p.undo.forEach(step -> Undo.quietly(step));
                if (p.reservation != null) {
                    p.reservation.undo();
                }
                pending.remove(name, p);
                removeWhatItMade(p.intent.as(Intent.MOVE_IN_GIVEN_UP));
                log.info("replicaset {}: move in from node {} undone ({}); what it made here is removed (move {})", name, p.source, why, p.moveId);
            } else {
                settled(name, p);
            }
        }
    }

    /**
     * Marks the intent given up if it is still as written: true when it was, and the move can no longer commit (its
     * commit requires the intent as written). The intent keeps its id, so what carries it stays proven uncommitted
     * until it is removed, whatever happens meanwhile.
     */
    private boolean claim(Intent intent, String value) {
        String key = keys.operation(intent.id());
        return store.commit(new Txn().requireValue(key, value).put(key, Json.write(intent.as(Intent.MOVE_IN_GIVEN_UP))));
    }

    /** Removes every container and volume the given-up move made here, then its intent; what resists stays proven for the next sweep. */
    private void removeWhatItMade(Intent givenUp) {
        Map<String, String> made = Map.of(ManagedLabels.OPERATION, givenUp.id());
        engine.listByLabels(made).forEach(c -> Undo.quietly(() -> engine.remove(c.name())));
        volumeEngine.listVolumesByLabels(made).forEach(v -> Undo.quietly(() -> volumeEngine.removeVolume(v.name())));
        if (engine.listByLabels(made).isEmpty() && volumeEngine.listVolumesByLabels(made).isEmpty()) {
            intents.drop(givenUp);
        }
    }

    private Pending require(String sender, String name, String moveId) {
        Pending p = pending.get(name);
        if (p == null || !p.moveId.equals(moveId) || !p.source.equals(sender)) {
            throw ApiException.of(ErrorCode.MOVE_NOT_PENDING, "no move %s of replicaset '%s' from node '%s' is in progress here", moveId, name, sender);
        }
        return p;
    }

    /**
     * Gives up moves whose source went quiet, and undoes what moves of an earlier process left (their intents
     * survive it, their pending state does not): each claimed first, so a commit that landed keeps what it made.
     */
    public void sweep() {
        Instant now = clock.instant();
        pending.forEach((name, p) -> {
            if (p.busy) {
                return;
            }
            if (p.failed) {
                giveUp(name, p, "its copy failed");
            } else if (p.touched.plus(idleLimit).isBefore(now)) {
                giveUp(name, p, "its source was silent for " + idleLimit.toSeconds() + " s");
            } else if (p.sourceIncarnation.isPresent() && !calls.incarnation(p.source).equals(p.sourceIncarnation)) {
                // the process that began the move is gone: a restarted source repairs its own side and never calls again
                giveUp(name, p, "its source node went down or restarted");
            }
        });
        Set<String> mine = ConcurrentHashMap.newKeySet();
        pending.values().forEach(p -> mine.add(p.intent.id()));
        for (Intent intent : intents.all()) {
            boolean arriving = ACTION.equals(intent.action());
            if (!arriving && !Intent.MOVE_IN_GIVEN_UP.equals(intent.action()) || mine.contains(intent.id()) || preparing.contains(intent.id())) {
                continue;
            }
            try (var held = locks.lock(intent.name())) {
                if (pending.values().stream().anyMatch(p -> p.intent.id().equals(intent.id())) || preparing.contains(intent.id())) {
                    continue;
                }
                if (arriving) {
                    Optional<String> written = store.get(keys.operation(intent.id())).map(io.gpudocker.store.KeyValue::value);
                    if (written.isEmpty() || !claim(intent, written.get())) {
                        continue;
                    }
                }
                removeWhatItMade(intent.as(Intent.MOVE_IN_GIVEN_UP));
                log.info("replicaset {}: an unfinished move to this node (intent {}, version {}) is undone; what it made here is removed",
                        intent.name(), intent.id(), intent.version());
            }
        }
    }
}
