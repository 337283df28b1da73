package io.gpudocker.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Containers' logs copied to clients, and the followed ones still open, so shutting down can end them. */
final class LogStreams implements AutoCloseable {
    private final DockerClient docker;
    private final DockerCalls calls;
    private final Set<ResultCallback.Adapter<Frame>> open = ConcurrentHashMap.newKeySet();

    LogStreams(DockerClient docker, DockerCalls calls) {
        this.docker = docker;
        this.calls = calls;
    }

    /** @see ContainerEngine#logs */
    void copy(String nameOrId, int tail, boolean follow, Duration idleTimeout, OutputStream out) {
        LogCopy copy = new LogCopy(out);
        open.add(copy);
        try {
            calls.call("logs of " + nameOrId, null, () -> {
                var cmd = docker.logContainerCmd(nameOrId).withStdOut(true).withStdErr(true).withFollowStream(follow);
                if (tail >= 0) {
                    cmd.withTail(tail);
                }
                return cmd.exec(copy);
            });
            if (copy.endsBeforeIdle(idleTimeout)) {
                copy.awaitCompletion(); // passes on a failure of the stream
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(copy);
            closeQuietly(copy);
        }
    }

    /** Ends the streams still open, so shutting down does not wait for their clients. */
    @Override
    public void close() {
        open.forEach(LogStreams::closeQuietly);
    }

    static void closeQuietly(ResultCallback.Adapter<Frame> callback) {
        try {
            callback.close();
        } catch (IOException | RuntimeException ignored) {
            // closing a finished stream may fail; nothing to do about it
        }
    }

    /**
     * Copies frames to the client and notes when the last one came. A client that left is only noticed when a
     * write fails, so a silent container would hold the stream (and the caller's worker thread) forever: the
     * caller gives up after an idle timeout.
     */
    private static final class LogCopy extends ResultCallback.Adapter<Frame> {
        private final OutputStream out;
        private final AtomicLong lastOutput = new AtomicLong(System.nanoTime());
        // docker-java's timed awaitCompletion closes the stream when it times out, so the end is watched here
        private final CountDownLatch ended = new CountDownLatch(1);

        LogCopy(OutputStream out) {
            this.out = out;
        }

        @Override
        public void onNext(Frame frame) {
            lastOutput.set(System.nanoTime());
            try {
                out.write(frame.getPayload());
                out.flush();
            } catch (IOException clientLeft) {
                closeQuietly(this);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                super.close(); // also what completion, a failure and closeQuietly end in
            } finally {
                ended.countDown();
            }
        }

        /** Waits for the end of the stream: true when it ended, false when nothing came for {@code idleTimeout}. */
        boolean endsBeforeIdle(Duration idleTimeout) throws InterruptedException {
            long idleNanos = idleTimeout.toNanos();
            long checkMillis = Math.max(10, Math.min(1000, idleTimeout.toMillis() / 10));
            while (!ended.await(checkMillis, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() - lastOutput.get() >= idleNanos) {
                    return false;
                }
            }
            return true;
        }
    }
}
