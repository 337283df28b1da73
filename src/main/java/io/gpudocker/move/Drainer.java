package io.gpudocker.move;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.node.DrainStatus;
import io.gpudocker.node.NodeDirectory;
import io.gpudocker.node.NodeQueries;
import io.gpudocker.node.NodeStatus;
import io.gpudocker.node.Placement;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains this node: cordons it (no new placements), then moves its instances off one at a time, oldest first, each to the
 * node placement picks among the others (pack or spread, as for a create), the next candidate when one turns out full.
 * An instance no node can take stays, and the drain reports why. The drain runs on a thread of its own; its progress is
 * kept in etcd, so {@code GET /api/v1/nodes} on any node shows it, and a node that stops mid-drain (crash, restart)
 * goes on with it once it is up again ({@link #resume}): the cordon is lasting, the instances still waiting are moved.
 */
public class Drainer {
    private static final Logger log = LoggerFactory.getLogger(Drainer.class);
    /** Refusals that say only that this candidate cannot take it now: the next one is tried. */
    private static final Set<ErrorCode> TRY_NEXT = Set.of(ErrorCode.GPU_NOT_ENOUGH, ErrorCode.PORT_NOT_ENOUGH, ErrorCode.GPU_COUNT_INVALID,
            ErrorCode.NODE_DOWN, ErrorCode.IMAGE_NOT_FOUND, ErrorCode.MOVE_IN_PROGRESS, ErrorCode.QUOTA_EXCEEDED);

    private static final String WAITING = "waiting";

    private final NodeDirectory directory;
    private final NodeQueries nodes;
    private final Placement placement;
    private final ReplicaSetRepository repo;
    private final MoveOut moves;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();

    private final NodeCalls calls;

    public Drainer(NodeDirectory directory, NodeQueries nodes, Placement placement, ReplicaSetRepository repo, MoveOut moves, NodeCalls calls, Clock clock) {
        this.calls = calls;
        this.directory = directory;
        this.nodes = nodes;
        this.placement = placement;
        this.repo = repo;
        this.moves = moves;
        this.clock = clock;
    }

    /** Drains node {@code name}: here when it is this node, else on that node, which runs it. */
    public DrainStatus drain(String name, Caller caller) {
        if (name.equals(directory.self())) {
            return start(caller);
        }
        if (directory.member(name).isEmpty()) {
            throw ApiException.of(ErrorCode.MOVE_NODE_UNKNOWN, "no node is called '%s' (GET /api/v1/nodes lists them)", name);
        }
        return calls.postTo(name, "/api/v1/nodes/" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8) + "/drain",
                java.util.Map.of(), caller, DrainStatus.class);
    }

    /** Starts draining this node; answers at once with the plan. */
    public DrainStatus start(Caller caller) {
        if (!running.compareAndSet(false, true)) {
            throw ApiException.of(ErrorCode.MOVE_IN_PROGRESS, "node '%s' is being drained already; GET /api/v1/nodes shows how far", directory.self());
        }
        try {
            nodes.cordon(directory.self(), true);
            List<ReplicaSetRecord> order = repo.local().stream()
                    .sorted(Comparator.comparing(ReplicaSetRecord::createTime, Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(ReplicaSetRecord::name))
                    .toList();
            List<DrainStatus.Entry> entries = new ArrayList<>(order.stream().map(r -> new DrainStatus.Entry(r.name(), WAITING, null, null)).toList());
            DrainStatus first = new DrainStatus(DrainStatus.RUNNING, clock.instant(), null, null, entries);
            directory.drainOfSelf(first);
            log.info("node {}: draining, cordoned; {} instance(s) to move: {}", directory.self(), order.size(), order.stream().map(ReplicaSetRecord::name).toList());
            Thread t = new Thread(() -> run(first, caller, null), "drain");
            t.setDaemon(true);
            t.start();
            return first;
        } catch (RuntimeException e) {
            running.set(false);
            throw e;
        }
    }

    /**
     * After start-up: a drain of this node still running in etcd (the node stopped under it) goes on where it was, with
     * the node cordoned again. The instance it was moving then is where that move's recovery left it: back here and
     * tried again, or on its target and reported moved.
     */
    public void resume() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            DrainStatus last = directory.drains().get(directory.self());
            if (last == null || !DrainStatus.RUNNING.equals(last.state())) {
                running.set(false);
                return;
            }
            nodes.cordon(directory.self(), true);
            List<String> left = last.instances().stream().filter(e -> WAITING.equals(e.outcome())).map(DrainStatus.Entry::name).toList();
            log.info("node {}: resuming its drain of {} after a restart, cordoned; {} instance(s) still to move: {}", directory.self(), last.startedAt(),
                    left.size(), left);
            DrainStatus resumed = new DrainStatus(DrainStatus.RUNNING, last.startedAt(), null, null, last.instances());
            Thread t = new Thread(() -> run(resumed, Caller.ADMIN, last.moving()), "drain");
            t.setDaemon(true);
            t.start();
        } catch (RuntimeException e) {
            running.set(false);
            log.warn("node {}: could not resume its drain ({}); POST /api/v1/nodes/{}/drain starts it again", directory.self(), e.getMessage(), directory.self());
        }
    }

    /** Moves each instance still waiting; {@code wasMoving} is the one a stopped drain was moving, if any. */
    private void run(DrainStatus first, Caller caller, String wasMoving) {
        List<DrainStatus.Entry> entries = new ArrayList<>(first.instances());
        try {
            for (int i = 0; i < entries.size(); i++) {
                if (!WAITING.equals(entries.get(i).outcome())) {
                    continue;
                }
                String name = entries.get(i).name();
                directory.drainOfSelf(new DrainStatus(DrainStatus.RUNNING, first.startedAt(), null, name, entries));
                entries.set(i, moveOff(name, caller, name.equals(wasMoving)));
            }
        } finally {
            finish(first, entries);
        }
    }

    private void finish(DrainStatus first, List<DrainStatus.Entry> entries) {
        try {
            directory.drainOfSelf(new DrainStatus(DrainStatus.DONE, first.startedAt(), clock.instant(), null, entries));
        } finally {
            running.set(false);
        }
        long moved = entries.stream().filter(e -> e.outcome().equals("moved")).count();
        long stays = entries.stream().filter(e -> e.outcome().equals("stays")).count();
        log.info("node {}: drain done, {} instance(s) moved, {} stay", directory.self(), moved, stays);
    }

    /** Tries each candidate in placement's order; the first that takes the instance ends it. */
    private DrainStatus.Entry moveOff(String name, Caller caller, boolean wasMoving) {
        try {
            ReplicaSetRecord record = repo.find(name).map(s -> s.record()).orElse(null);
            if (wasMoving && record != null && !directory.self().equals(record.node())) {
                return new DrainStatus.Entry(name, "moved", record.node(), null);
            }
            if (record == null || !directory.self().equals(record.node())) {
                return new DrainStatus.Entry(name, "gone", record == null ? null : record.node(), "deleted or moved by another call meanwhile");
            }
            int gpus = record.gpus().size();
            String why = gpus == 0 ? "no other node is up and open to new instances" : "no other node is up, open and has " + gpus + " GPU(s) free";
            List<NodeStatus> candidates = List.of();
            try {
                candidates = placement.candidates(gpus).stream().filter(n -> !n.name().equals(directory.self())).toList();
            } catch (ApiException e) {
                if (e.code() != ErrorCode.GPU_NOT_ENOUGH) {
                    throw e;
                }
                // placement's answer names the most free GPUs a node has; with none asked for, it says nothing more
                why = gpus == 0 ? why : e.getMessage();
            }
            for (NodeStatus c : candidates) {
                try {
                    MoveOut.Moved moved = moves.move(name, new MoveRequests.Move(c.name(), null), caller);
                    return new DrainStatus.Entry(name, "moved", moved.to(), null);
                } catch (ApiException e) {
                    why = "node '" + c.name() + "': " + e.getMessage();
                    if (!TRY_NEXT.contains(e.code())) {
                        break;
                    }
                }
            }
            log.info("node {}: drain leaves replicaset {} here: {}", directory.self(), name, why);
            return new DrainStatus.Entry(name, "stays", null, why);
        } catch (RuntimeException e) {
            log.info("node {}: drain leaves replicaset {} here: {}", directory.self(), name, e.getMessage());
            return new DrainStatus.Entry(name, "stays", null, e.getMessage());
        }
    }
}
