package io.gpudocker.replicaset;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * How long each step of one update took, so where an update's time goes is measured by the service rather
 * than guessed: logged with the update and timed as {@code gda.update.phases}, tagged by phase.
 */
final class UpdatePhases {
    static final String METER = "gda.update.phases";

    enum Phase {
        /** read the record, check the target, reserve what it holds, write the intent */
        PREPARE("prepare"),
        CREATE("create"),
        STOP("stop"),
        COPY("copy"),
        START("start"),
        /** the one transaction that commits the new version */
        RECORD("etcd");

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
        nanos.forEach((phase, took) -> Timer.builder(METER)
                .description("Steps of versioned updates (patch, restart, rollback), by phase")
                .tag("phase", phase.label)
                .register(registry)
                .record(took, TimeUnit.NANOSECONDS));
    }

    /** e.g. "prepare 12 ms, create 40 ms, stop 3 ms, copy 20 ms, start 150 ms, etcd 8 ms" */
    String summary() {
        StringJoiner out = new StringJoiner(", ");
        nanos.forEach((phase, took) -> out.add(phase.label + " " + TimeUnit.NANOSECONDS.toMillis(took) + " ms"));
        return out.toString();
    }
}
