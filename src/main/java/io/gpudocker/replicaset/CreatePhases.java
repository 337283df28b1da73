package io.gpudocker.replicaset;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * How long each step of one create took, so where a create's time goes is measured by the service rather than
 * guessed: logged with the create and timed as {@code gda.create.phases}, tagged by phase.
 */
final class CreatePhases {
    static final String METER = "gda.create.phases";

    enum Phase {
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

        final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    private final Map<Phase, Long> nanos = new EnumMap<>(Phase.class);
    private long lapStart = System.nanoTime();

    /** Ends the current phase here: the time since the previous lap (or the start) counts as {@code phase}. */
    void lap(Phase phase) {
        long now = System.nanoTime();
        nanos.merge(phase, now - lapStart, Long::sum);
        lapStart = now;
    }

    void publish(MeterRegistry registry) {
        if (registry == null) {
            return;
        }
        nanos.forEach((phase, took) -> Timer.builder(METER)
                .description("Steps of replicaset creates, by phase")
                .tag("phase", phase.label)
                .register(registry)
                .record(took, TimeUnit.NANOSECONDS));
    }

    /** e.g. "validate 3 ms, place 0 ms, intent 4 ms, create 80 ms, program check 2 ms, start 150 ms, record 6 ms" */
    String summary() {
        StringJoiner out = new StringJoiner(", ");
        nanos.forEach((phase, took) -> out.add(phase.label + " " + TimeUnit.NANOSECONDS.toMillis(took) + " ms"));
        return out.toString();
    }
}
