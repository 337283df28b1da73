package io.gpudocker.ops;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.config.GdaProperties;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Bounds a probe in time. The Docker client has a connect timeout but no response timeout (log streams and
 * long stops need none), so a daemon that accepts connections and then hangs would stall a health check.
 * The bound is {@code gda.docker.ping-timeout}.
 */
@Component
public class BoundedCall implements DisposableBean {
    private final Duration timeout;
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "health-probe");
        t.setDaemon(true);
        return t;
    });

    public BoundedCall(GdaProperties props) {
        this.timeout = props.docker().pingTimeout();
    }

    public <T> T call(ErrorCode unavailable, String what, Supplier<T> probe) {
        CompletableFuture<T> future = CompletableFuture.supplyAsync(probe, probes);
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ApiException(unavailable, what + " did not answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing " + what, e);
        }
    }

    @Override
    public void destroy() {
        probes.shutdownNow();
    }
}
