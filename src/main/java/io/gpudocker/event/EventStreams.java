package io.gpudocker.event;

import io.gpudocker.api.Caller;
import io.gpudocker.common.CallThreads;
import io.gpudocker.store.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Each open event stream is a loop on a thread of its own (virtual where the runtime has them: a stream mostly waits)
 * that sends what the feed holds after the last id it sent, and a comment line when nothing came for
 * {@code keepAlive}, which is how a client that left is noticed. The stream ends after {@code timeout}; an
 * EventSource connects again by itself, with the last id it saw.
 */
public class EventStreams {
    private final EventFeed feed;
    private final Duration keepAlive;
    private final Duration timeout;
    /** Replaced on a start after a stop: a context stopped and started again (as a paused test context is) streams again. */
    private volatile ExecutorService pumps = newPumps();
    private final AtomicInteger open = new AtomicInteger();

    public EventStreams(EventFeed feed, Duration keepAlive, Duration timeout) {
        this.feed = feed;
        this.keepAlive = keepAlive;
        this.timeout = timeout;
    }

    /** Who sees what: a tenant the events of its own instances, the admin every event. */
    static Predicate<Event> visibleTo(Caller caller) {
        return e -> caller.admin() || (e.instance() != null && caller.name().equals(e.tenant()));
    }

    /** A stream of the events after {@code afterId} (null: only those still to come) that {@code caller} may see. */
    public SseEmitter open(Caller caller, Long afterId) {
        SseEmitter emitter = new SseEmitter(timeout.toMillis());
        long from = afterId != null ? afterId : feed.lastId();
        Predicate<Event> visible = visibleTo(caller);
        Pump pump = new Pump(emitter, from, visible);
        emitter.onCompletion(pump::end);
        emitter.onTimeout(pump::end);
        emitter.onError(t -> pump.end());
        open.incrementAndGet();
        try {
            pumps.execute(pump);
        } catch (RuntimeException refused) {
            open.decrementAndGet();
            throw refused;
        }
        return emitter;
    }

    /** How many streams are open on this node. */
    public int open() { return open.get(); }

    /** Ends every open stream; {@link #start} opens the way for new ones. */
    public synchronized void close() { pumps.shutdownNow(); }

    public synchronized void start() {
        if (pumps.isShutdown()) {
            pumps = newPumps();
        }
    }

    private static ExecutorService newPumps() {
        return CallThreads.perTask("event-stream-");
    }

    private final class Pump implements Runnable {
        private final SseEmitter emitter;
        private final Predicate<Event> visible;
        private long cursor;
        private volatile boolean ended;

        Pump(SseEmitter emitter, long from, Predicate<Event> visible) {
            this.emitter = emitter;
            this.cursor = from;
            this.visible = visible;
        }

        void end() { ended = true; }

        @Override
        public void run() {
            try {
                // tells the client it is connected, and how soon to come back
                emitter.send(SseEmitter.event().comment("events after " + cursor).reconnectTime(2000));
                while (!ended) {
                    List<Event> events = feed.after(cursor, visible, keepAlive);
                    if (events.isEmpty()) {
                        emitter.send(SseEmitter.event().comment("keep-alive"));
                        continue;
                    }
                    for (Event e : events) {
                        emitter.send(SseEmitter.event().id(Long.toString(e.id())).data(Json.write(e)));
                        cursor = e.id();
                    }
                }
            } catch (IOException | IllegalStateException e) {
                // the client left, or the stream timed out and completed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                emitter.complete();
            } finally {
                open.decrementAndGet();
            }
        }
    }
}
