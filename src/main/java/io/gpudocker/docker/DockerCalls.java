package io.gpudocker.docker;

import com.github.dockerjava.api.exception.DockerException;
import io.gpudocker.common.CallThreads;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every call to the Docker engine, bounded in time and with its failure named. The HTTP client cannot bound a
 * call: one response timeout would fit no call that streams (logs, exec, commit), and on a unix socket the
 * blocking read ignores it anyway. So each call runs on its own thread and is waited for at most its bound;
 * when the bound passes, that thread is interrupted, which closes its socket channel: the connection is
 * dropped, no thread stays blocked on a daemon that never answers, and the next call opens a fresh one.
 * Connectivity failures and answers that do not come within the bound become {@link EngineUnavailableException}
 * (503); Docker's refusals become {@link EngineException} with Docker's own status. The threads are daemons
 * and idle ones end on their own, so nothing needs shutting down: a call made while the service stops still runs.
 * <p>
 * At most {@code maxInFlight} calls that make the daemon work (create, start, stop, remove, a lookup in a container's
 * filesystem: any bounded longer than the response timeout) are in flight at once: a burst of requests (32 creates at
 * once) queues here, each waiting its turn within its own bound, instead of all landing on a daemon that does them no
 * faster together than in turn. Calls Docker answers at once (inspect, list) and the health probe never wait behind
 * them: their short bound would pass in the queue.
 */
public final class DockerCalls {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String host;
    private final DockerTimeouts timeouts;
    private final int maxInFlight;
    private final Semaphore inFlight;
    /** Virtual threads on a Java 21+ runtime: a call mostly waits on the engine's socket. */
    private final ExecutorService executor = CallThreads.perTask("docker-call-");

    /** @param host the daemon's address, named in every unavailable failure */
    public DockerCalls(String host, DockerTimeouts timeouts) {
        this(host, timeouts, defaultMaxInFlight(Runtime.getRuntime().availableProcessors()));
    }

    /** @param maxInFlight the most calls in flight to the daemon at once */
    public DockerCalls(String host, DockerTimeouts timeouts, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("gda.docker.max-calls must be at least 1");
        }
        this.host = host;
        this.timeouts = timeouts;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight, true);
    }

    /**
     * Calls in flight for a daemon on a host of {@code cpus} (the daemon runs beside the service, on the GPUs' host):
     * eight per CPU, never fewer than 32. A daemon overlaps much of a start (containerd, runc, the network) with
     * others: measured on 2 CPUs, 32 creates at once took longer queued 8 at a time than all at once
     * (docs/benchmarks.md), so the bound stops a runaway burst without slowing an ordinary one.
     */
    public static int defaultMaxInFlight(int cpus) {
        return Math.max(32, 8 * cpus);
    }

    int maxInFlight() { return maxInFlight; }

    DockerTimeouts timeouts() { return timeouts; }

    /**
     * A health probe: its own bound, as a check must answer sooner than an operation may wait. Only the bound
     * is added; what the probe throws passes through as it is.
     *
     * @param what what did not answer, e.g. "the Docker engine"
     */
    public <T> T probe(String what, Duration bound, Supplier<T> probe) {
        try {
            return bounded(bound, probe);
        } catch (TimeoutException e) {
            throw new EngineUnavailableException(what + " did not answer within " + bound.toMillis() + " ms", e);
        }
    }

    /** A call Docker answers at once: bounded by the response timeout. */
    <T> T call(String what, Supplier<T> action) {
        return call(what, timeouts.response(), action);
    }

    /** @param bound how long to wait for the answer; null for a call whose length follows the data */
    <T> T call(String what, Duration bound, Supplier<T> action) {
        try {
            if (bound == null) {
                return action.get();
            }
            return bound.compareTo(timeouts.response()) > 0 ? inTurn(bound, action) : bounded(bound, action);
        } catch (TimeoutException e) {
            throw new EngineUnavailableException("the Docker engine at " + host + " did not answer within " + bound.toMillis() + " ms (" + what + ")", e);
        } catch (DockerException e) {
            throw new EngineException(e.getHttpStatus(), "Docker refused to " + what + ": " + firstLine(e.getMessage()), e);
        } catch (RuntimeException e) {
            if (causedByIo(e)) {
                throw new EngineUnavailableException("the Docker engine at " + host + " is unreachable (" + what + "): " + rootMessage(e), e);
            }
            throw e;
        }
    }

    /** A bounded call once one of the daemon's turns is free; the wait for it counts within the bound. */
    private <T> T inTurn(Duration bound, Supplier<T> action) throws TimeoutException {
        long start = System.nanoTime();
        try {
            if (!inFlight.tryAcquire(bound.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException("no turn free among " + maxInFlight + " calls in flight");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Docker", e);
        }
        try {
            Duration left = bound.minusNanos(System.nanoTime() - start);
            return bounded(left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left, action);
        } finally {
            inFlight.release();
        }
    }

    /** @throws TimeoutException when the bound passed (the call was interrupted) */
    private <T> T bounded(Duration bound, Supplier<T> action) throws TimeoutException {
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

    private static boolean causedByIo(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    /** Docker's refusal as a user reads it: without docker-java's status prefix, its JSON or its stack. */
    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replaceFirst("^Status \\d+: ", "").trim();
        int brace = t.indexOf('{');
        if (brace >= 0) {
            try {
                // Docker answers {"message":"..."}; show the message alone
                JsonNode message = JSON.readTree(t.substring(brace)).path("message");
                if (message.isString()) {
                    return message.asString().trim();
                }
            } catch (RuntimeException notJson) {
                // fall through to the raw text
            }
        }
        int nl = t.indexOf('\n');
        return nl > 0 ? t.substring(0, nl) : t;
    }
}
