package io.gpudocker.replicaset;

import io.gpudocker.common.PhaseTimes;

/** The steps of a create, timed as {@code gda.create.phases} and logged with the create. */
enum CreatePhases implements PhaseTimes.Phase {
    /** the spec, the tenant's ceilings and quota, the name free, the image and binds usable */
    VALIDATE("validate"),
    /** GPUs, ports, cores and memory reserved in the schedulers */
    PLACE("place"),
    /** the intent written to etcd, before any Docker object */
    INTENT("intent"),
    CREATE("create"),
    /** the program looked up (Docker's init would otherwise start and exit 127), host-path binds mounted */
    PROGRAM_CHECK("program check"),
    START("start"),
    /** the one transaction that commits the record, its version and what it holds */
    RECORD("record");

    static final String METER = "gda.create.phases";

    private final String label;

    CreatePhases(String label) {
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    /** The clock of one create, started now. */
    static PhaseTimes<CreatePhases> start() {
        return new PhaseTimes<>(CreatePhases.class, METER, "Steps of replicaset creates, by phase");
    }
}
