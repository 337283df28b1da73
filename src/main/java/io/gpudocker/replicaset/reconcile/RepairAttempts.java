package io.gpudocker.replicaset.reconcile;

import io.gpudocker.api.ApiException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Docker call of a repair, tried again with a doubling pause when Docker refuses it (a container it will
 * not remove or stop just now), then given up with a warning so the repairs of everything else go on; the
 * next pass tries again. A Docker or etcd that cannot be reached at all is no refusal: it is thrown, and the
 * pass waits for it as a whole.
 */
final class RepairAttempts {
    private static final Logger log = LoggerFactory.getLogger(RepairAttempts.class);

    private final int attempts;
    private final Duration firstPause;

    RepairAttempts(int attempts, Duration firstPause) {
        this.attempts = attempts;
        this.firstPause = firstPause;
    }

    /** @return whether the call succeeded */
    boolean run(String what, Runnable call) {
        long pause = firstPause.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                call.run();
                return true;
            } catch (ApiException unreachable) {
                throw unreachable;
            } catch (RuntimeException refused) {
                if (attempt >= attempts) {
                    log.warn("reconcile: could not {} after {} attempts, left for the next pass: {}", what, attempts, refused.getMessage());
                    return false;
                }
                sleep(pause);
                pause *= 2;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a repair", e);
        }
    }
}
