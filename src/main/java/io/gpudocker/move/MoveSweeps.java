package io.gpudocker.move;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Both sides' sweeps ({@link MoveIn#sweep}, {@link MovedAwaySweeper#sweep}), on a thread of their own; a failed pass is retried by the next. */
final class MoveSweeps implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MoveSweeps.class);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "move-sweep");
        t.setDaemon(true);
        return t;
    });

    private final Duration period;
    private final MoveIn in;
    private final MovedAwaySweeper away;

    MoveSweeps(Duration period, MoveIn in, MovedAwaySweeper away) {
        this.period = period;
        this.in = in;
        this.away = away;
    }

    /** Once the service is up (its start-up checks passed): a sweep must never act before them. */
    void start() {
        ticker.scheduleWithFixedDelay(() -> {
            try {
                in.sweep();
                away.sweep();
            } catch (RuntimeException e) {
                log.info("move sweep failed, the next one tries again: {}", e.toString());
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
