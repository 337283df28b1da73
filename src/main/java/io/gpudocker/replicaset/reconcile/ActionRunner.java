package io.gpudocker.replicaset.reconcile;

import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.reconcile.RepairAction.DockerCall;
import io.gpudocker.replicaset.reconcile.RepairAction.Note;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the steps {@link RepairRules} decided, in their order: the only place a repair touches Docker. */
class ActionRunner {
    private static final Logger log = LoggerFactory.getLogger(ActionRunner.class);

    private final ContainerEngine engine;
    private final RepairAttempts attempts;
    private final ContainerProofs proofs;
    private final ExitSightings exits;

    ActionRunner(ContainerEngine engine, RepairAttempts attempts, ContainerProofs proofs, ExitSightings exits) {
        this.engine = engine;
        this.attempts = attempts;
        this.proofs = proofs;
        this.exits = exits;
    }

    /** @return whether every removal among them was done: only then are the intents that proved them settled */
    boolean apply(List<RepairAction> actions) {
        boolean allRemoved = true;
        for (RepairAction action : actions) {
            boolean done = apply(action);
            allRemoved &= done || !(action instanceof RepairAction.Remove);
        }
        return allRemoved;
    }

    /** @return whether it was done: false only for a Docker call Docker refused */
    boolean apply(RepairAction action) {
        if (action instanceof DockerCall call) {
            boolean done = attempts.run(call.verb() + " " + call.container().name(), () -> call(call));
            if (done) {
                say(call.done());
            }
            return done;
        }
        if (action instanceof RepairAction.Keep keep) {
            proofs.reportKept(keep.container(), keep.why());
        } else if (action instanceof RepairAction.Report report) {
            say(report.note());
        } else if (action instanceof RepairAction.NoteExit noted) {
            exits.note(noted.sighting());
        } else if (action instanceof RepairAction.ForgetExit forgotten) {
            exits.forget(forgotten.sighting());
        } else if (action instanceof RepairAction.ForgetExitsOf forgotten) {
            exits.forgetContainer(forgotten.containerId());
        }
        return true;
    }

    private void call(DockerCall call) {
        String id = call.container().id();
        if (call instanceof RepairAction.Start) {
            engine.start(id);
        } else if (call instanceof RepairAction.Stop) {
            engine.stop(id);
        } else if (call instanceof RepairAction.Unpause) {
            engine.unpause(id);
        } else if (call instanceof RepairAction.Remove) {
            engine.remove(id);
        }
    }

    private static void say(Note note) {
        log.info(note.pattern(), note.args().toArray());
    }
}
