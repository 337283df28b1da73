package io.gpudocker.move;

import io.gpudocker.common.PhaseTimes;

/**
 * The steps of a move (and of a rollback made on another node), timed as {@code gda.move.phases}, logged with it and
 * answered as {@code phaseMillis}.
 */
enum MovePhases implements PhaseTimes.Phase {
    /** the checks, and the target taking the resources and making version N+1 (for a rollback, with version K's files) */
    PREPARE("prepare"),
    /** the copy made while version N runs */
    PRE_COPY("preCopy"),
    STOP("stop"),
    /** what changed since the pre-copy began, while N is stopped */
    FINAL_COPY("finalCopy"),
    /** the one copy, where there is no pre-copy */
    COPY("copy"),
    START("start"),
    /** the one transaction that moves the record, and the target told so */
    COMMIT("commit");

    static final String METER = "gda.move.phases";

    private final String label;

    MovePhases(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** The clock of one move, started now. */
    static PhaseTimes<MovePhases> start() {
        return new PhaseTimes<>(MovePhases.class, METER, "Steps of moves between nodes, by phase");
    }
}
