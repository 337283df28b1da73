package io.gpudocker.replicaset.reconcile;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.reconcile.RepairAction.Keep;
import io.gpudocker.replicaset.reconcile.RepairAction.Note;
import io.gpudocker.replicaset.reconcile.RepairAction.Remove;
import io.gpudocker.replicaset.reconcile.RepairAction.Report;
import io.gpudocker.replicaset.reconcile.RepairAction.Start;
import io.gpudocker.replicaset.reconcile.RepairAction.Stop;
import io.gpudocker.replicaset.reconcile.RepairAction.Unpause;
import io.gpudocker.store.Intent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the reconcile does about one replicaset, decided from what etcd and Docker hold without calling
 * either: the repair's steps and the record it leaves. A container is removed only on the word of an intent.
 */
final class RepairRules {
    private RepairRules() { }

    /** The record as it should now be written (the same instance: unchanged), and the steps to get there. */
    record Decision(ReplicaSetRecord record, List<RepairAction> actions) {
        static Decision keep(ReplicaSetRecord record, RepairAction... actions) {
            return new Decision(record, List.of(actions));
        }
    }

    /**
     * Where the containers found leave the replicaset: the steps for each, the container of the recorded
     * version, and whether an unfinished update had made one (it may have stopped the current container).
     */
    record Sorting(List<RepairAction> actions, Optional<ContainerSummary> current, boolean interruptedUpdate) { }

    /** The recorded state's rule: decided, or waiting on a closer look at a stopped container. */
    sealed interface StateRepair permits Decided, LookAtExit { }

    record Decided(Decision decision) implements StateRepair { }

    /** Running recorded, its container stopped by neither a user nor an update: how it stopped decides. */
    record LookAtExit(ContainerSummary container) implements StateRepair { }

    /**
     * A container Docker shows paused that no call in flight froze was left frozen by a process that died in
     * the middle of a live volume copy: thawed.
     */
    static Optional<Unpause> thaw(String name, ContainerSummary c, boolean frozenByACallInFlight) {
        if (!c.paused() || frozenByACallInFlight) {
            return Optional.empty();
        }
        return Optional.of(new Unpause(c, Note.of("reconcile {}: thawed {}, left frozen by an interrupted volume copy", name, c.name())));
    }

    static Sorting sort(ReplicaSetRecord record, List<ContainerSummary> seen, List<Intent> intents) {
        String name = record.name();
        List<RepairAction> actions = new ArrayList<>();
        boolean interruptedUpdate = false;
        Optional<ContainerSummary> current = Optional.empty();
        for (ContainerSummary c : seen) {
            long v = ManagedLabels.version(c.labels());
            Optional<Intent> proof = ContainerProofs.uncommitted(c, intents);
            if (proof.isPresent()) {
                actions.add(new Remove(c, Note.of("reconcile {}: removed {}, left by an interrupted {} (operation {}; recorded version is {})",
                        name, c.name(), proof.get().action(), proof.get().id(), record.version())));
                interruptedUpdate |= !proof.get().isDelete();
            } else if (v > record.version()) {
                // no record accounts for what it holds (GPUs, ports, cores, memory): that may be handed to someone else
                if (c.running()) {
                    actions.add(new Stop(c, Note.of("reconcile {}: stopped {}, whose version is above the recorded {}", name, c.name(), record.version())));
                }
                actions.add(new Keep(c, "its version is above the recorded " + record.version() + " and no unfinished operation made it (etcd may be older than Docker)"));
            } else if (v == record.version()) {
                current = Optional.of(c);
            } else if (c.running()) {
                actions.add(new Stop(c, Note.of("reconcile {}: stopped superseded container {}", name, c.name())));
            }
        }
        // a move that never committed stopped the current version on its way out: it runs again, as after an interrupted update
        interruptedUpdate |= intents.stream().anyMatch(i -> Intent.MOVE_OUT.equals(i.action()));
        return new Sorting(actions, current, interruptedUpdate);
    }

    static StateRepair repair(ReplicaSetRecord record, Optional<ContainerSummary> current, boolean interruptedUpdate) {
        return switch (record.state()) {
            case RUNNING -> running(record, current, interruptedUpdate);
            case PAUSED -> new Decided(paused(record, current));
            case STOPPED -> new Decided(stopped(record, current));
            case EXITED -> new Decided(exited(record, current));
        };
    }

    /**
     * Recorded running: the instance keeps what it holds (GPUs, ports, cores, memory) whether its container runs or not, unless the
     * container is gone. One stopped by Docker going away (a daemon restart, a reboot) or by an interrupted
     * update is started again; one whose own process exited is recorded EXITED and stays so (its exit code
     * shown) until the user stops, continues, restarts or deletes it.
     */
    private static StateRepair running(ReplicaSetRecord record, Optional<ContainerSummary> current, boolean interruptedUpdate) {
        String name = record.name();
        if (current.isEmpty()) {
            return new Decided(new Decision(record.stopped(), List.of(new Report(Note.of(
                    "reconcile {}: container {} was removed behind the service's back; released GPUs {} and ports {}",
                    name, record.containerName(), record.gpus(), record.ports())))));
        }
        ContainerSummary c = current.get();
        if (c.running() || c.paused()) {
            // paused: frozen by a live volume copy in flight, which thaws it
            return new Decided(Decision.keep(record, new RepairAction.ForgetExitsOf(c.id())));
        }
        if (interruptedUpdate) {
            return new Decided(Decision.keep(record, new Start(c, Note.of("reconcile {}: restarted {} stopped by an interrupted update", name, c.name()))));
        }
        return new LookAtExit(c);
    }

    /**
     * A stopped container of a running record, looked at closely: stopped no later than the daemon started, it
     * was Docker going away, and it is started again; otherwise its process exited, which is believed once
     * the sighting has outlasted the grace.
     */
    static Decision afterExitLook(ReplicaSetRecord record, ContainerSummary c, DockerLooks.ExitLook look, ExitSightings.Status sighted) {
        String name = record.name();
        ContainerDetail exited = look.exited();
        Optional<Instant> dockerStarted = look.dockerStarted();
        if (exited.finishedAt() == null || dockerStarted.isPresent() && !exited.finishedAt().isAfter(dockerStarted.get())) {
            return Decision.keep(record, new Start(c, Note.of(
                    "reconcile {}: started {} again with GPUs {} and ports {}; Docker had stopped it when it went away (it stopped at {}, Docker started at {})",
                    name, c.name(), record.gpus(), record.ports(), exited.finishedAt(), dockerStarted.map(Instant::toString).orElse("unknown"))));
        }
        ExitSightings.Sighting sighting = look.sighting(c);
        return switch (sighted) {
            case NEW -> Decision.keep(record, new RepairAction.NoteExit(sighting));
            case WITHIN_GRACE -> Decision.keep(record);
            case OUTLASTED_GRACE -> new Decision(record.inState(ReplicaSetState.EXITED), List.of(new RepairAction.ForgetExit(sighting), new Report(Note.of(
                    "reconcile {}: the process of {} exited by itself with code {} at {}; recorded as exited, it keeps GPUs {} and ports {} until stopped, continued, restarted or deleted",
                    name, c.name(), exited.exitCode(), exited.finishedAt(), record.gpus(), record.ports()))));
        };
    }

    /** Recorded exited: stays so, Docker restarting or not; running again only if someone started it. */
    private static Decision exited(ReplicaSetRecord record, Optional<ContainerSummary> current) {
        if (current.isEmpty()) {
            return new Decision(record.stopped(), List.of(new Report(Note.of("reconcile {}: exited container {} was removed; released GPUs {} and ports {}",
                    record.name(), record.containerName(), record.gpus(), record.ports()))));
        }
        if (current.get().running()) {
            return new Decision(record.inState(ReplicaSetState.RUNNING), List.of(new Report(Note.of(
                    "reconcile {}: exited container {} was started outside the service; recorded as running", record.name(), record.containerName()))));
        }
        return Decision.keep(record);
    }

    private static Decision paused(ReplicaSetRecord record, Optional<ContainerSummary> current) {
        if (current.isEmpty()) {
            return new Decision(record.stopped(), List.of(new Report(Note.of("reconcile {}: paused container {} was removed; released GPUs {} and ports {}",
                    record.name(), record.containerName(), record.gpus(), record.ports()))));
        }
        ContainerSummary c = current.get();
        if (c.running()) {
            return Decision.keep(record, new Stop(c, Note.of("reconcile {}: finished pausing {}", record.name(), record.containerName())));
        }
        return Decision.keep(record);
    }

    private static Decision stopped(ReplicaSetRecord record, Optional<ContainerSummary> current) {
        if (current.isPresent() && current.get().running()) {
            // what it held (GPUs, ports, cores, memory) may belong to someone else by now
            ContainerSummary c = current.get();
            return Decision.keep(record, new Stop(c, Note.of(
                    "reconcile {}: stopped {}, which was started outside the service while the replicaset is stopped", record.name(), c.name())));
        }
        return Decision.keep(record);
    }

    /**
     * A replicaset with no record: only containers an unfinished operation proves uncommitted are removed
     * (an interrupted create, or a delete that forgot the record but had not removed them yet). Any other
     * container may hold a user's data whose record is missing: it is kept, whatever etcd says.
     */
    static List<RepairAction> leftovers(String name, List<ContainerSummary> ours, List<Intent> intents) {
        List<RepairAction> actions = new ArrayList<>();
        for (ContainerSummary c : ours) {
            Optional<Intent> proof = ContainerProofs.uncommitted(c, intents);
            if (proof.isEmpty()) {
                actions.add(new Keep(c, "replicaset " + name + " has no record and no unfinished operation made it (start with --recover to rebuild its record)"));
            } else {
                actions.add(new Remove(c, Note.of("reconcile: removed {} of replicaset {}, left by an interrupted {} (operation {})",
                        c.name(), name, proof.get().action(), proof.get().id())));
            }
        }
        return actions;
    }
}
