package io.gpudocker.docker;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs a Docker call on its own thread and waits at most its bound. When the bound passes, the call's thread
 * is interrupted, which closes its socket channel: the connection is dropped, no thread stays blocked on a
 * daemon that never answers, and the next call opens a fresh connection once the daemon answers again.
 */
final class BoundedCalls {
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "docker-call-" + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    /** @throws TimeoutException when the bound passed (the call was interrupted) */
    <T> T call(Duration bound, Supplier<T> action) throws TimeoutException {
        Future<T> future = executor.submit(action::get);
        try {
            return future.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw e;
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Docker", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
