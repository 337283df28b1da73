package io.gpudocker.common;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What each long operation in flight is doing now, for the views of the object it works on: which step, since
 * when, and for a copy whose size is known, how many bytes are across. One operation per object at a time (the
 * name locks see to that). Kept in memory only: it describes this process's work, and dies with it.
 * Bytes done are measured when someone asks, at most once per {@link #MEASURE_EVERY}, so that an operation
 * nobody watches costs nothing and many watchers cost one measurement.
 */
public final class ProgressBoard {
    static final Duration MEASURE_EVERY = Duration.ofSeconds(2);

    /** One operation's progress as the API shows it; bytes are null where not measured. */
    public record Progress(String operation, String step, Instant startedAt, Instant stepStartedAt, Long bytesDone, Long bytesTotal) {}

    private final Map<String, Tracker> running = new ConcurrentHashMap<>();
    private final Clock clock;

    public ProgressBoard(Clock clock) {
        this.clock = clock;
    }

    /** Starts reporting {@code operation} on {@code key} (e.g. "replicaset/foo"); closing the tracker ends it. */
    public Tracker begin(String key, String operation) {
        Tracker t = new Tracker(key, operation, clock.instant());
        running.put(key, t);
        return t;
    }

    /** Whether no operation on a key starting with {@code prefix} is in flight. */
    public boolean idle(String prefix) {
        return running.keySet().stream().noneMatch(k -> k.startsWith(prefix));
    }

    public Optional<Progress> of(String key) {
        Tracker t = running.get(key);
        return t == null ? Optional.empty() : Optional.of(t.snapshot());
    }

    /** Reports the steps of one operation. */
    public final class Tracker implements AutoCloseable {
        private final String key;
        private final String operation;
        private final Instant startedAt;
        private volatile String step = "starting";
        private volatile Instant stepStartedAt;
        private volatile Long bytesTotal;
        private volatile LongSupplier measureDone;
        private volatile Long lastDone;
        private volatile Instant lastMeasured;

        private Tracker(String key, String operation, Instant startedAt) {
            this.key = key;
            this.operation = operation;
            this.startedAt = startedAt;
            this.stepStartedAt = startedAt;
        }

        public void step(String now) {
            measureDone = null;
            bytesTotal = null;
            lastDone = null;
            step = now;
            stepStartedAt = clock.instant();
        }

        /** A step that copies {@code total} bytes; {@code done} measures how many are across (it may be slow). */
        public void copying(String now, long total, LongSupplier done) {
            step(now);
            bytesTotal = total;
            measureDone = done;
        }

        Progress snapshot() {
            return new Progress(operation, step, startedAt, stepStartedAt, bytesDone(), bytesTotal);
        }

        private synchronized Long bytesDone() {
            LongSupplier measure = measureDone;
            if (measure == null) {
                return null;
            }
            Instant now = clock.instant();
            if (lastMeasured == null || !now.isBefore(lastMeasured.plus(MEASURE_EVERY))) {
                lastMeasured = now;
                try {
                    lastDone = Math.min(measure.getAsLong(), bytesTotal == null ? Long.MAX_VALUE : bytesTotal);
                } catch (RuntimeException e) {
                    // the target may be between states (just created, already renamed): the last figure stands
                }
            }
            return lastDone;
        }

        @Override
        public void close() {
            running.remove(key, this);
        }
    }
}
