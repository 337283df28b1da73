package io.gpudocker.move;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.OutcomeUnknown;
import io.gpudocker.common.PhaseTimes;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.node.NodeDirectory;
import io.gpudocker.replicaset.HoldingsReservations;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetSpec;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.ReplicaSetVersion;
import io.gpudocker.replicaset.ReplicaSetViews;
import io.gpudocker.replicaset.RemoteSnapshots;
import io.gpudocker.replicaset.RollbackAcross;
import io.gpudocker.replicaset.VersionPlaces;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Stored;
import io.gpudocker.store.Txn;
import io.gpudocker.volume.VolumeRecord;
import io.gpudocker.volume.VolumeRepository;
import io.gpudocker.volume.VolumeVersion;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's side of a move, which runs it: checks it, has the target take the resources and make version N+1
 * ({@link MoveIn}), lets the target pull N's own layer and the volumes' data while N still runs (the pre-copy: each a
 * tar stream over a signed call), stops version N, lets the target pull what changed since the pre-copy began (and what
 * was deleted), has the target start N+1, and commits the move in one transaction: the record names the target and
 * N+1, both nodes' allocation keys change hands, the volumes' records follow, the target's intent is required and
 * dropped. Until that commit, version N is the instance: any failure gives the target's work up and, if N was stopped
 * by then, starts it again; a failure during the pre-copy never touched it. After the commit, N stays here, stopped,
 * and so do the volumes' old versions (see {@link MovedAwaySweeper}).
 *
 * <p>A stopped instance moves as it is: one copy, nothing started on the target, the record still stopped there and
 * holding nothing, as a stopped instance holds nothing. A paused one is refused: it holds its GPUs and ports, and
 * continuing it on the target would be a different thing than what a pause promises.
 *
 * <p>A rollback to a version whose container another node holds is this same move to that node, but version N+1 is
 * made there from version K's spec and K's files ({@link #rollback}).
 */
public class MoveOut implements RollbackAcross, RemoteSnapshots {
    private static final Logger log = LoggerFactory.getLogger(MoveOut.class);
    /** How long a history waits for another node to list the containers it keeps. */
    static final Duration CONTAINERS_WITHIN = Duration.ofSeconds(3);

    private final ReplicaSetRepository repo;
    private final VolumeRepository volumes;
    private final ContainerEngine engine;
    private final VolumeEngine volumeEngine;
    private final HoldingsReservations reservations;
    private final NameLocks locks;
    private final SystemDiskCopier copier;
    private final ProgressBoard progress;
    private final NodeDirectory directory;
    private final NodeCalls calls;
    private final TarStreams tar;
    private final Keys keys;
    private final Intents intents;
    private final boolean preCopy;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final Map<String, Outgoing> outgoing = new ConcurrentHashMap<>();

    public MoveOut(ReplicaSetRepository repo, VolumeRepository volumes, ContainerEngine engine, VolumeEngine volumeEngine,
                   HoldingsReservations reservations, NameLocks locks, SystemDiskCopier copier, ProgressBoard progress, NodeDirectory directory,
                   NodeCalls calls, TarStreams tar, Keys keys, Intents intents, boolean preCopy, MeterRegistry metrics,
                   Clock clock) {
        this.tar = tar;
        this.metrics = metrics;
        this.preCopy = preCopy;
        this.intents = intents;
        this.repo = repo;
        this.volumes = volumes;
        this.engine = engine;
        this.volumeEngine = volumeEngine;
        this.reservations = reservations;
        this.locks = locks;
        this.copier = copier;
        this.progress = progress;
        this.directory = directory;
        this.calls = calls;
        this.keys = keys;
        this.clock = clock;
    }

    /**
     * What the target may pull while the move runs: N's own layer and each volume's data, by its Docker name here; and
     * where each one's snapshot is kept between the pre-copy and the final copy.
     */
    private record Outgoing(String moveId, String target, Path layer, Map<String, Path> volumeData, AtomicLong sent, Path marks) {
        Path snapshot(String part, String volume) {
            return marks.resolve(volume == null ? part + ".snar" : part + "-" + volume + ".snar");
        }
    }

    /** A volume the instance binds, as it is here. */
    private record BoundVolume(Stored<VolumeRecord> stored, String dockerName, Path data) {}

    /** The move's outcome. */
    public record Moved(String name, String from, String to, long version, String containerName, Map<String, Integer> ports, boolean portsChanged,
                        Map<String, String> volumes, long bytes, long millis, long downtimeMillis, Map<String, Long> phaseMillis) {}

    /**
     * What goes to the target: version N+1's spec, the volumes that go along, N's own layer (null for a rollback, whose
     * files are version K's, on the target already), and the version rolled back to (null: a move).
     */
    private record Leaving(String target, ReplicaSetSpec spec, List<BoundVolume> bound, Path layer, Long rollbackTo) {
        boolean rollback() {
            return rollbackTo != null;
        }
    }

    /** A move or rollback done: its answer, and how a rollback's files were copied on the target. */
    private record Done(Moved moved, ReplicaSetViews.CopyView copy) {}

    public Moved move(String name, MoveRequests.Move req, Caller caller) {
        PhaseTimes<MovePhases> phases = MovePhases.start();
        try (var held = locks.lock(name); var tracker = progress.begin(ReplicaSetViews.progressKey(name), "move to node " + req.node())) {
            Stored<ReplicaSetRecord> stored = repo.require(name, caller);
            ReplicaSetRecord record = stored.record();
            String target = req.node();
            requireTarget(name, target, "node");
            if (record.state() != ReplicaSetState.RUNNING && record.state() != ReplicaSetState.STOPPED) {
                throw ApiException.of(ErrorCode.MOVE_UNSUPPORTED, "replicaset '%s' is %s; a running or a stopped instance moves, a %s one does not "
                                + "(continue it, or stop it, first)", name, record.state().name().toLowerCase(), record.state().name().toLowerCase());
            }
            ReplicaSetVersion current = repo.current(record);
            ContainerDetail container = engine.inspect(record.containerName()).orElseThrow(() -> ApiException.of(ErrorCode.MOVE_UNSUPPORTED,
                    "replicaset '%s': its container %s is gone; restart it before moving it", name, record.containerName()));
            copier.requireSupported(container);
            List<BoundVolume> bound = boundVolumes(name, current.spec());
            ReplicaSetSpec spec = req.gpuCount() == null ? current.spec() : current.spec().withGpuCount(req.gpuCount());
            return send(stored, current, new Leaving(target, spec, bound, Path.of(container.upperDir()), null), caller, tracker, phases).moved();
        }
    }

    /**
     * Asked of the node an earlier move left versions on, for a history: a node that does not answer within
     * {@link #CONTAINERS_WITHIN} keeps none that can be rolled back to now (a history read waits no longer for it).
     */
    @Override
    public Set<String> containers(String node, String name, Caller caller) {
        try {
            return Set.copyOf(calls.postWithin(node, enc(name) + "/containers", Map.of(), caller, MoveRequests.Containers.class, CONTAINERS_WITHIN).names());
        } catch (RuntimeException e) {
            log.debug("replicaset {}: node {} did not say which of its containers it keeps: {}", name, node, e.getMessage());
            return Set.of();
        }
    }

    /**
     * A rollback to version {@code k}, whose container is on {@code node}: version N+1 is made there from K's spec and
     * K's files (copied there, as a local rollback copies them), the volumes the instance binds now going along as a move
     * carries them ({@link RollbackBinds}); N stops here and stays, as after a move. Everything else is a move's: the
     * target's intent, the undo on failure, the one transaction, the crash handling.
     */
    @Override
    public ReplicaSetViews.ContainerNameView rollback(String name, long k, String node, Caller caller) {
        PhaseTimes<MovePhases> phases = MovePhases.start();
        try (var held = locks.lock(name); var tracker = progress.begin(ReplicaSetViews.progressKey(name), "rollback to " + k + " on node " + node)) {
            Stored<ReplicaSetRecord> stored = repo.require(name, caller);
            ReplicaSetRecord record = stored.record();
            if (k == record.version()) {
                throw ApiException.of(ErrorCode.NO_NEED_ROLLBACK, "replicaset '%s' is already at version %d", name, k);
            }
            ReplicaSetVersion versionK = repo.version(name, k).orElseThrow(() -> ApiException.of(ErrorCode.VERSION_NOT_FOUND,
                    "replicaset '%s' has no version %d (versions 1-%d exist)", name, k, record.version()));
            if (!node.equals(VersionPlaces.nodeOf(record.node(), repo.history(name), k))) {
                throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "replicaset '%s' was changed by another call during the rollback; nothing was done, retry", name);
            }
            requireTarget(name, node, null);
            if (record.state() != ReplicaSetState.RUNNING && record.state() != ReplicaSetState.STOPPED) {
                throw ApiException.of(ErrorCode.MOVE_UNSUPPORTED, "replicaset '%s' is %s and version %d is on node '%s': a rollback there moves the instance, "
                        + "which a %s one does not (continue it, or stop it, first)", name, record.state().name().toLowerCase(), k, node,
                        record.state().name().toLowerCase());
            }
            ReplicaSetVersion current = repo.current(record);
            RollbackBinds binds = RollbackBinds.of(versionK.spec().binds(), current.spec().binds());
            requireKeptBindsOn(name, k, node, binds.kept());
            List<BoundVolume> bound = boundVolumes(name, current.spec().withBinds(binds.carried()));
            ReplicaSetSpec spec = versionK.spec().withBinds(binds.binds());
            Done done = send(stored, current, new Leaving(node, spec, bound, null, k), caller, tracker, phases);
            return new ReplicaSetViews.ContainerNameView(done.moved().containerName(), done.copy());
        }
    }

    /** The node must be a member, up, and another node; {@code field}: the request's field that named it, if one did. */
    private void requireTarget(String name, String target, String field) {
        String self = keys.node();
        if (target.equals(self)) {
            throw ApiException.of(ErrorCode.MOVE_SAME_NODE, "replicaset '%s' is on node '%s' already; nothing was done", name, self).onField(field);
        }
        if (directory.member(target).isEmpty()) {
            throw ApiException.of(ErrorCode.MOVE_NODE_UNKNOWN, "no node is called '%s' (GET /api/v1/nodes lists them); nothing was done", target).onField(field);
        }
        if (directory.live(target).isEmpty()) {
            throw ApiException.of(ErrorCode.NODE_DOWN, "node '%s' is down; replicaset '%s' stays on node '%s', nothing was done", target, name, self);
        }
    }

    /** Version K's binds that stay as K made them (no current bind of their volume) must be on the node K is on: nothing else crosses. */
    private void requireKeptBindsOn(String name, long k, String node, List<Bind> kept) {
        for (Bind b : kept) {
            if (b.isHostPath()) {
                throw ApiException.of(ErrorCode.MOVE_UNSUPPORTED, "version %d of replicaset '%s' binds the host path %s; a rollback to it on node '%s' "
                        + "would mount that host's path, which is refused as a move refuses it", k, name, b.src(), node);
            }
            String volume = RollbackBinds.volumeOf(b.src());
            String where = volumes.find(volume).map(s -> s.record().node()).orElse(null);
            if (!node.equals(where)) {
                throw ApiException.of(ErrorCode.MOVE_UNSUPPORTED, "version %d of replicaset '%s' binds %s, a version of volume '%s', which is %s and bound by no "
                        + "current version; a rollback to it on node '%s' cannot mount it", k, name, b.src(), volume,
                        where == null ? "gone" : "on node '" + where + "'", node);
            }
        }
    }

    private Done send(Stored<ReplicaSetRecord> stored, ReplicaSetVersion current, Leaving leaving, Caller caller, ProgressBoard.Tracker tracker,
                      PhaseTimes<MovePhases> phases) {
        ReplicaSetRecord record = stored.record();
        String name = record.name();
        String target = leaving.target();
        String self = keys.node();
        List<BoundVolume> bound = leaving.bound();
        String moveId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        List<MoveRequests.VolumeIn> volumesIn = bound.stream().map(b -> new MoveRequests.VolumeIn(b.stored().record().name(), b.dockerName(),
                b.stored().record().version() + 1, b.stored().record().sizeBytes(), b.stored().record().size(), b.stored().record().sizeEnforced())).toList();
        List<Integer> wanted = leaving.spec().containerPorts().stream().map(p -> current.ports().get(p)).filter(Objects::nonNull).toList();
        Map<String, Path> volumeData = new LinkedHashMap<>();
        bound.forEach(b -> volumeData.put(b.dockerName(), b.data()));
        Path marks;
        try {
            marks = tar.marks().open(moveId);
        } catch (IOException e) {
            throw ApiException.of(ErrorCode.MOVE_FAILED, "replicaset '%s': cannot make a place for the move's snapshots: %s; nothing was done", name, e.getMessage());
        }
        Outgoing out = new Outgoing(moveId, target, leaving.layer(), volumeData, new AtomicLong(), marks);
        outgoing.put(name, out);
        try {
            // a rollback starts version N+1 whatever N was, as a local rollback does; a move keeps a stopped instance stopped
            boolean stays = record.state() == ReplicaSetState.STOPPED && !leaving.rollback();
            tracker.step((stays ? "making version " + (record.version() + 1) + " on node " : "taking resources on node ") + target);
            MoveRequests.Prepared prepared = calls.post(target, enc(name) + "/prepare",
                    new MoveRequests.Prepare(moveId, self, record.tenant(), record.version() + 1, leaving.spec(), wanted, volumesIn, stays,
                            leaving.rollbackTo()), caller, MoveRequests.Prepared.class);
            phases.lap(MovePhases.PREPARE);
            return new Done(carry(stored, current, prepared, leaving, out, caller, tracker, phases), prepared.copy());
        } finally {
            outgoing.remove(name, out);
            MoveMarks.close(marks);
        }
    }

    private Moved carry(Stored<ReplicaSetRecord> stored, ReplicaSetVersion current, MoveRequests.Prepared prepared, Leaving leaving, Outgoing out,
                        Caller caller, ProgressBoard.Tracker tracker, PhaseTimes<MovePhases> phases) {
        ReplicaSetRecord record = stored.record();
        String name = record.name();
        String target = out.target();
        List<BoundVolume> bound = leaving.bound();
        MoveRequests.Step step = new MoveRequests.Step(out.moveId());
        boolean running = record.state() == ReplicaSetState.RUNNING;
        boolean starts = running || leaving.rollback();
        // a rollback's system disk was copied on the target at the prepare: only volumes cross, if it carries any
        boolean anyFiles = !leaving.rollback() || !out.volumeData().isEmpty();
        boolean stopped = false;
        long stopAt = 0;
        long downtime = 0;
        long bytes = 0;
        Intent leavingIntent = null;
        try {
            long total = sizeOf(out.layer()) + out.volumeData().values().stream().mapToLong(MoveOut::sizeOf).sum();
            if (running && preCopy && anyFiles) {
                // N runs on: a failure or a crash of either node here leaves it as it was, with nothing to undo on this side
                tracker.copying("pre-copying the system disk and volumes to node " + target + " while version " + record.version() + " runs",
                        total, () -> out.sent().get());
                bytes += calls.post(target, enc(name) + "/receive", new MoveRequests.Receive(out.moveId(), false), caller, MoveRequests.Received.class).bytes();
                phases.lap(MovePhases.PRE_COPY);
            }
            // before N stops: if this process dies before the commit, the reconcile at its start finds it and starts N again
            leavingIntent = intents.begin(Intent.start(Intent.REPLICASET, Intent.MOVE_OUT, name, record.version()));
            if (running) {
                tracker.step("stopping version " + record.version());
                stopAt = System.nanoTime();
                engine.stop(record.containerName());
                stopped = true;
                phases.lap(MovePhases.STOP);
            }
            if (anyFiles) {
                boolean delta = running && preCopy;
                tracker.copying((delta ? "copying what changed since the pre-copy began to node " : "copying the system disk and volumes to node ") + target,
                        total, () -> out.sent().get());
                bytes += calls.post(target, enc(name) + "/receive", new MoveRequests.Receive(out.moveId(), true), caller, MoveRequests.Received.class).bytes();
                phases.lap(delta ? MovePhases.FINAL_COPY : MovePhases.COPY);
            }
            if (starts) {
                tracker.step("starting version " + prepared.version().version() + " on node " + target);
                calls.post(target, enc(name) + "/start", step, caller, Void.class);
                downtime = running ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt) : 0;
                phases.lap(MovePhases.START);
            }
            tracker.step("recording the move");
            ReplicaSetVersion v = prepared.version();
            Instant now = clock.instant();
            ReplicaSetRecord after = new ReplicaSetRecord(name, v.version(), starts ? ReplicaSetState.RUNNING : record.state(), v.gpus(), v.ports(),
                    record.createTime(), now, record.tenant(), v.cpus(), v.memory(), target, v.spec().image());
            Map<String, VolumeVersion> byDockerName = new LinkedHashMap<>();
            prepared.volumeSources().forEach((src, dst) -> prepared.volumes().stream().filter(vv -> vv.dockerName().equals(dst)).findFirst()
                    .ifPresent(vv -> byDockerName.put(src, vv)));
            Keys there = keys.forNode(target);
            List<String> volumesLeft = volumesLeftHere(bound);
            Map<String, String> required = Map.of(there.operation(prepared.intentId()), prepared.intentValue(),
                    keys.operation(leavingIntent.id()), Json.write(leavingIntent));
            boolean committed = repo.move(stored, after, v, there, required, () -> {
                Txn extra = new Txn();
                for (BoundVolume b : bound) {
                    VolumeVersion vv = byDockerName.get(b.dockerName());
                    VolumeRecord old = b.stored().record();
                    VolumeRecord moved = new VolumeRecord(old.name(), vv.version(), vv.sizeBytes(), vv.size(), vv.sizeEnforced(), old.createTime(), now,
                            old.tenant(), target);
                    extra.and(volumes.moving(b.stored(), moved, vv));
                }
                String away = keys.movedAway(name, keys.node());
                return extra.put(away, Json.write(new MovedAwaySweeper.Left(name, record.version(), volumesLeft, target, now)));
            });
            if (!committed) {
                throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "replicaset '%s' or one of its volumes was changed by another call during the move, "
                        + "or node '%s' gave the move up; it stays on node '%s' as it was, retry", name, target, keys.node());
            }
            reservations.release(record);
            settleQuietly(target, name, step, caller);
            phases.lap(MovePhases.COMMIT);
            phases.publish(metrics);
            long millis = phases.totalMillis();
            boolean portsChanged = !v.ports().equals(current.ports());
            Map<String, String> volumeMap = new LinkedHashMap<>();
            byDockerName.forEach((src, vv) -> volumeMap.put(src, vv.dockerName()));
            String what = leaving.rollback() ? "rolled back to version " + leaving.rollbackTo() + " on node " + target + " from node " + keys.node()
                    : "moved from node " + keys.node() + " to node " + target + (running ? "" : " stopped");
            log.info("replicaset {}: {}, version {} -> {} (container {}), GPUs {} -> {}, ports {}{}, volumes {}; {} bytes in {} ms, "
                            + "down {} ms, phases {} (move {})", name, what, record.version(), v.version(), v.containerName(),
                    record.gpus(), v.gpus(), v.ports(), portsChanged ? " (were " + current.ports() + ")" : "", volumeMap, bytes, millis, downtime, phases.summary(),
                    out.moveId());
            return new Moved(name, keys.node(), target, v.version(), v.containerName(), v.ports(), portsChanged, volumeMap, bytes, millis, downtime,
                    phases.millis());
        } catch (RuntimeException e) {
            if (e instanceof OutcomeUnknown) {
                // the commit may have landed: the target settles or undoes by its intent, and the record says where the instance is
                throw e;
            }
            Undo.after(e, () -> calls.post(target, enc(name) + "/abort", step, caller, Void.class));
            if (stopped) {
                Undo.after(e, () -> engine.start(record.containerName()));
            }
            if (leavingIntent != null) {
                Intent left = leavingIntent;
                Undo.after(e, () -> intents.drop(left));
            }
            log.info("replicaset {}: {} node {} failed and was undone, version {} {} here again: {}", name,
                    leaving.rollback() ? "rollback to version " + leaving.rollbackTo() + " on" : "move to", target, record.version(),
                    running ? "runs" : "is", e.getMessage());
            throw e;
        }
    }

    private void settleQuietly(String target, String name, MoveRequests.Step step, Caller caller) {
        try {
            calls.post(target, enc(name) + "/settle", step, caller, Void.class);
        } catch (RuntimeException e) {
            log.warn("replicaset {}: the move is committed, but node {} did not hear so ({}); it settles by itself", name, target, e.getMessage());
        }
    }

    /**
     * Every version of the volumes that go along that is on this node: the one bound now, and older ones left by an
     * earlier move away and back (whose own record of what stays here was forgotten when the instance came back), so
     * that none outlives the instance here.
     */
    private List<String> volumesLeftHere(List<BoundVolume> bound) {
        List<String> left = new ArrayList<>();
        for (BoundVolume b : bound) {
            left.add(b.dockerName());
            volumes.history(b.stored().record().name()).stream().map(VolumeVersion::dockerName)
                    .filter(d -> !left.contains(d) && volumeEngine.inspectVolume(d).isPresent()).forEach(left::add);
        }
        return left;
    }

    /**
     * The volumes the spec binds, each this node's current version of a volume of the instance's tenant that no other
     * instance binds; a host path, or a volume shared with another instance, cannot go along.
     */
    private List<BoundVolume> boundVolumes(String name, ReplicaSetSpec spec) {
        List<BoundVolume> out = new ArrayList<>();
        for (Bind b : spec.binds()) {
            if (b.isHostPath()) {
                throw ApiException.of(ErrorCode.MOVE_UNSUPPORTED, "replicaset '%s' binds the host path %s, which is this host's; it cannot be moved", name, b.src());
            }
            int dash = b.src().lastIndexOf('-');
            String volume = dash > 0 ? b.src().substring(0, dash) : b.src();
            Stored<VolumeRecord> v = volumes.find(volume).filter(s -> s.record().dockerName().equals(b.src()) && keys.node().equals(s.record().node()))
                    .orElseThrow(() -> ApiException.of(ErrorCode.MOVE_UNSUPPORTED,
                            "replicaset '%s' binds %s, which is not the current version of a volume on this node; it cannot be moved", name, b.src()));
            for (ReplicaSetRecord other : repo.local()) {
                if (!other.name().equals(name) && repo.version(other.name(), other.version())
                        .map(ov -> ov.spec().binds().stream().anyMatch(ob -> ob.src().equals(b.src()))).orElse(false)) {
                    throw ApiException.of(ErrorCode.MOVE_UNSUPPORTED, "volume %s is bound by replicaset '%s' too; move or unbind that one first", b.src(), other.name());
                }
            }
            Path data = volumeEngine.inspectVolume(b.src()).map(VolumeSummary::mountpoint).map(Path::of).orElseThrow(() -> ApiException.of(
                    ErrorCode.MOVE_UNSUPPORTED, "replicaset '%s' binds %s, which Docker does not have; it cannot be moved", name, b.src()));
            out.add(new BoundVolume(v, b.src(), data));
        }
        return out;
    }

    /**
     * Streams one part of a move in progress to the target that asked: {@code disk} (version N's own layer) or
     * {@code volume} (the data of {@code volume}, by its Docker name here).
     */
    public void export(String sender, String name, String moveId, String part, String volume, String pass, OutputStream to) throws IOException {
        Outgoing out = outgoing.get(name);
        if (out == null || !out.moveId().equals(moveId) || !out.target().equals(sender)) {
            throw ApiException.of(ErrorCode.MOVE_NOT_PENDING, "no move %s of replicaset '%s' to node '%s' is in progress here", moveId, name, sender);
        }
        Path dir = switch (part) {
            case "disk" -> {
                if (out.layer() == null) {
                    throw ApiException.of(ErrorCode.MOVE_NOT_PENDING, "move %s of replicaset '%s' is a rollback: it carries no system disk", moveId, name);
                }
                yield out.layer();
            }
            case "volume" -> {
                Path p = out.volumeData().get(volume);
                if (p == null) {
                    throw ApiException.of(ErrorCode.MOVE_NOT_PENDING, "move %s of replicaset '%s' carries no volume '%s'", moveId, name, volume);
                }
                yield p;
            }
            default -> throw ApiException.of(ErrorCode.INVALID_PARAMS, "part must be disk or volume, not '%s'", part);
        };
        boolean live = switch (pass) {
            case "first" -> true;
            case "final" -> false;
            default -> throw ApiException.of(ErrorCode.INVALID_PARAMS, "pass must be first or final, not '%s'", pass);
        };
        tar.pack(dir, out.snapshot(part, volume), live, to, n -> out.sent().addAndGet(n));
    }

    /** Whether a move of {@code name} runs here now. */
    public boolean moving(String name) {
        return outgoing.containsKey(name);
    }

    private static long sizeOf(Path dir) {
        if (dir == null) {
            return 0;
        }
        try {
            return TarStreams.sizeOf(dir);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String enc(String name) {
        return java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
    }
}
