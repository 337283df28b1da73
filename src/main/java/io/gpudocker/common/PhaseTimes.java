package io.gpudocker.common;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * How long each step of one operation took, so where its time goes is measured by the service rather than guessed:
 * logged with the operation and timed under one meter, tagged by phase.
 *
 * @param <P> the operation's phases, in the order they run
 */
public final class PhaseTimes<P extends Enum<P> & PhaseTimes.Phase> {
    /** One step of an operation, with the name it is logged and tagged by. */
    public interface Phase {
        String label();
    }

    private final String meter;
    private final String description;
    private final Map<P, Long> nanos;
    private final long started = System.nanoTime();
    private long lapStart = started;

    /** Starts the clock of one operation now. */
    public PhaseTimes(Class<P> phases, String meter, String description) {
        this.meter = meter;
        this.description = description;
        this.nanos = new EnumMap<>(phases);
    }

    /** Ends the current phase here: the time since the previous lap (or the start) counts as {@code phase}. */
    public void lap(P phase) {
        long now = System.nanoTime();
        nanos.merge(phase, now - lapStart, Long::sum);
        lapStart = now;
    }

    /** Records each phase's time in the meter; null: logged only. */
    public void publish(MeterRegistry registry) {
        if (registry == null) {
            return;
        }
        nanos.forEach((phase, took) -> Timer.builder(meter)
                .description(description)
                .tag("phase", phase.label())
                .register(registry)
                .record(took, TimeUnit.NANOSECONDS));
    }

    /** The time from the start of the clock to the last lap. */
    public long totalMillis() {
        return TimeUnit.NANOSECONDS.toMillis(lapStart - started);
    }

    /** Each phase's time so far in milliseconds, by label, in the order the phases run. */
    public Map<String, Long> millis() {
        Map<String, Long> out = new LinkedHashMap<>();
        nanos.forEach((phase, took) -> out.put(phase.label(), TimeUnit.NANOSECONDS.toMillis(took)));
        return out;
    }

    /** e.g. "validate 3 ms, place 0 ms, intent 4 ms, create 80 ms" */
    public String summary() {
        StringJoiner out = new StringJoiner(", ");
        nanos.forEach((phase, took) -> out.add(phase.label() + " " + TimeUnit.NANOSECONDS.toMillis(took) + " ms"));
        return out.toString();
    }
}
