package io.gpudocker.replicaset;

import io.gpudocker.common.PhaseTimes;

/** The steps of a versioned update (patch, restart, rollback), timed as {@code gda.update.phases} and logged with it. */
enum UpdatePhases implements PhaseTimes.Phase {
    /** read the record, check the target, reserve what it holds, write the intent */
    PREPARE("prepare"),
    CREATE("create"),
    STOP("stop"),
    COPY("copy"),
    START("start"),
    /** the one transaction that commits the new version */
    RECORD("etcd");

    static final String METER = "gda.update.phases";

    private final String label;

    UpdatePhases(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** The clock of one update, started now. */
    static PhaseTimes<UpdatePhases> start() {
        return new PhaseTimes<>(UpdatePhases.class, METER, "Steps of versioned updates (patch, restart, rollback), by phase");
    }
}
