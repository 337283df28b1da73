package io.gpudocker.replicaset.reconcile;

import io.gpudocker.docker.ContainerSummary;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One step of a repair decided by {@link RepairRules}, applied in order by {@link ActionRunner}. A Docker call
 * carries the line logged once Docker has done it; a refused call is logged by {@link RepairAttempts} instead.
 */
sealed interface RepairAction {

    /** A log line: the SLF4J pattern and its arguments, so the text is the one the pattern gives. */
    record Note(String pattern, List<Object> args) {
        static Note of(String pattern, Object... args) {
            return new Note(pattern, Collections.unmodifiableList(Arrays.asList(args)));
        }
    }

    /** A Docker call on one container, tried through {@link RepairAttempts}. */
    sealed interface DockerCall extends RepairAction {
        ContainerSummary container();

        Note done();

        /** As the warning of a refused call names it. */
        String verb();
    }

    record Start(ContainerSummary container, Note done) implements DockerCall {
        public String verb() { return "start"; }
    }

    record Stop(ContainerSummary container, Note done) implements DockerCall {
        public String verb() { return "stop"; }
    }

    record Unpause(ContainerSummary container, Note done) implements DockerCall {
        public String verb() { return "unpause"; }
    }

    /** Only ever of a container an intent proves uncommitted. */
    record Remove(ContainerSummary container, Note done) implements DockerCall {
        public String verb() { return "remove"; }
    }

    /** A container with no proof against it: kept, and reported once. */
    record Keep(ContainerSummary container, String why) implements RepairAction { }

    /** A change of the record, said before it is written. */
    record Report(Note note) implements RepairAction { }

    record NoteExit(ExitSightings.Sighting sighting) implements RepairAction { }

    record ForgetExit(ExitSightings.Sighting sighting) implements RepairAction { }

    /** The container runs (or a copy froze it): earlier sightings of its exit are stale. */
    record ForgetExitsOf(String containerId) implements RepairAction { }
}
