package io.gpudocker.replicaset.reconcile;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/** Rechecks every replicaset against Docker at a fixed delay ({@code gda.reconcile.period}), the first one a period after start. */
public class PeriodicReconcile implements SchedulingConfigurer {
    private static final Logger log = LoggerFactory.getLogger(PeriodicReconcile.class);
    private final Reconciler reconciler;
    private final Duration period;

    public PeriodicReconcile(Reconciler reconciler, Duration period) {
        this.reconciler = reconciler;
        this.period = period;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(this::recheck, period, period));
    }

    void recheck() {
        try {
            reconciler.recheck();
        } catch (RuntimeException e) {
            log.warn("periodic reconcile skipped, the next one retries: {}", e.getMessage());
        }
    }
}
