package io.gpudocker.config;

import io.gpudocker.replicaset.Reconciler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Rechecks every replicaset against Docker at a fixed delay ({@code gda.reconcile.period}, default 60 s). */
@Component
public class PeriodicReconcile {
    private static final Logger log = LoggerFactory.getLogger(PeriodicReconcile.class);
    private final Reconciler reconciler;

    public PeriodicReconcile(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Scheduled(fixedDelayString = "${gda.reconcile.period:60s}", initialDelayString = "${gda.reconcile.period:60s}")
    void recheck() {
        try {
            reconciler.recheck();
        } catch (RuntimeException e) {
            log.warn("periodic reconcile skipped, the next one retries: {}", e.getMessage());
        }
    }
}
