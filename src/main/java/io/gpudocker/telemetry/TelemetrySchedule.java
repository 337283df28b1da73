package io.gpudocker.telemetry;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the sampler on a thread of its own: a hung nvidia-smi holds this thread for its timeout, never the scheduler
 * the reconcile, the usage counters and the node lease share.
 */
final class TelemetrySchedule implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(TelemetrySchedule.class);
    private final Runnable pass;
    private final Duration period;
    private ScheduledExecutorService executor;

    TelemetrySchedule(Runnable pass, Duration period) {
        this.pass = pass;
        this.period = period;
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "telemetry");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::runPass, 1000, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A pass that throws must not end the schedule (a scheduled executor drops a task that throws). */
    private void runPass() {
        try {
            pass.run();
        } catch (RuntimeException e) {
            log.warn("telemetry pass failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() { return executor != null; }
}
