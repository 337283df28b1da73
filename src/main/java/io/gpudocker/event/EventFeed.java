package io.gpudocker.event;

import io.gpudocker.store.ChangeListener;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyChange;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Listing;
import io.gpudocker.store.Txn;
import io.gpudocker.store.Watching;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's recent events as this node sees them: read once from etcd, then kept by a watch of the events' prefix,
 * the last {@code history} in memory in id order. Streams wait here for what comes after the last id they sent. A
 * watch that ends is resumed by reading the prefix again (an event already held is not taken twice: ids only grow).
 * Every node also trims the prefix to the newest {@code history} keys now and then; a trim two nodes run at once
 * removes the same keys.
 */
public class EventFeed {
    private static final Logger log = LoggerFactory.getLogger(EventFeed.class);
    /** At most this many deletes in one transaction (etcd's default limit is 128 operations). */
    private static final int TRIM_BATCH = 100;

    private final KeyValueStore store;
    private final String prefix;
    private final int history;
    private final Duration retryDelay;
    private final Duration trimEvery;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Deque<Event> recent = new ArrayDeque<>();
    private long lastId;
    private long generation;
    private boolean stopped;
    private Watching watching;
    private ScheduledExecutorService worker;

    public EventFeed(KeyValueStore store, Keys keys, int history, Duration retryDelay, Duration trimEvery) {
        this.store = store;
        this.prefix = keys.events();
        this.history = history;
        this.retryDelay = retryDelay;
        this.trimEvery = trimEvery;
    }

    public void start() {
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "event-feed");
            t.setDaemon(true);
            return t;
        });
        worker.execute(this::load);
        worker.scheduleWithFixedDelay(this::trim, trimEvery.toMillis(), trimEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void stop() {
        Watching old;
        lock.lock();
        try {
            stopped = true;
            generation++;
            old = watching;
            watching = null;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        if (old != null) {
            old.close();
        }
        if (worker != null) {
            worker.shutdownNow();
        }
    }

    /**
     * The events after {@code afterId} that {@code visible} lets through, oldest first; waits up to {@code wait} for
     * one when there is none yet. Empty when the wait ran out (or the feed stopped).
     */
    public List<Event> after(long afterId, java.util.function.Predicate<Event> visible, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            long cursor = afterId;
            while (true) {
                List<Event> found = new ArrayList<>();
                for (Event e : recent) {
                    if (e.id() > cursor && visible.test(e)) {
                        found.add(e);
                    }
                }
                if (!found.isEmpty() || stopped) {
                    return found;
                }
                // nothing visible among what is held: wait only for what comes after it
                cursor = Math.max(cursor, lastId);
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                arrived.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The id of the newest event held (0: none yet). */
    public long lastId() {
        lock.lock();
        try {
            return lastId;
        } finally {
            lock.unlock();
        }
    }

    /** Every event held, read anew, then a watch from the revision after that read. */
    private void load() {
        Listing listing;
        try {
            listing = store.listAt(prefix);
        } catch (RuntimeException e) {
            log.warn("event feed: cannot read the events ({}); retrying in {} ms", e.getMessage(), retryDelay.toMillis());
            later(this::load);
            return;
        }
        List<Event> read = new ArrayList<>();
        for (KeyValue kv : listing.keyValues()) {
            Event e = parse(kv.value(), kv.modRevision());
            if (e != null) {
                read.add(e);
            }
        }
        read.sort(Comparator.comparingLong(Event::id));
        long mine;
        Watching old;
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            take(read);
            mine = ++generation;
            old = watching;
            watching = null;
        } finally {
            lock.unlock();
        }
        if (old != null) {
            old.close();
        }
        Watching opened;
        try {
            opened = store.watch(prefix, listing.revision() + 1, new Listener(mine));
        } catch (RuntimeException e) {
            log.warn("event feed: cannot watch the events ({}); retrying in {} ms", e.getMessage(), retryDelay.toMillis());
            later(this::load);
            return;
        }
        boolean kept;
        lock.lock();
        try {
            kept = generation == mine && !stopped;
            if (kept) {
                watching = opened;
            }
        } finally {
            lock.unlock();
        }
        if (!kept) {
            opened.close();
        }
    }

    /** Takes the events newer than the newest held, in id order, dropping the oldest beyond {@code history}. */
    private void take(List<Event> events) {
        boolean any = false;
        for (Event e : events) {
            if (e.id() > lastId) {
                recent.addLast(e);
                lastId = e.id();
                any = true;
            }
        }
        while (recent.size() > history) {
            recent.removeFirst();
        }
        if (any) {
            arrived.signalAll();
        }
    }

    /** Removes the oldest event keys beyond {@code history}. */
    void trim() {
        try {
            List<String> held = store.keys(prefix);
            int excess = held.size() - history;
            for (int from = 0; from < excess; from += TRIM_BATCH) {
                Txn txn = new Txn();
                held.subList(from, Math.min(excess, from + TRIM_BATCH)).forEach(txn::delete);
                store.commit(txn);
            }
        } catch (RuntimeException e) {
            log.debug("event feed: trim failed ({}); tried again later", e.getMessage());
        }
    }

    private void later(Runnable work) {
        ScheduledExecutorService w = worker;
        if (w != null && !w.isShutdown()) {
            w.schedule(work, retryDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A value that is not an event (written by a later service, or damaged) is skipped. */
    private static Event parse(String value, long revision) {
        try {
            return Json.read(value, Event.class).withId(revision);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private boolean current(long mine) {
        lock.lock();
        try {
            return mine == generation && !stopped;
        } finally {
            lock.unlock();
        }
    }

    private final class Listener implements ChangeListener {
        private final long mine;

        Listener(long mine) {
            this.mine = mine;
        }

        @Override
        public void changed(List<KeyChange> changes) {
            List<Event> events = new ArrayList<>();
            for (KeyChange c : changes) {
                Event e = c.deleted() ? null : parse(c.value(), c.revision());
                if (e != null) {
                    events.add(e);
                }
            }
            lock.lock();
            try {
                if (mine == generation && !stopped) {
                    take(events);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void compacted(long compactRevision) {
            if (current(mine)) {
                later(EventFeed.this::load);
            }
        }

        @Override
        public void broken(Throwable cause) {
            if (current(mine)) {
                log.warn("event feed: the watch ended ({}); reading the events again in {} ms", cause.getMessage(), retryDelay.toMillis());
                later(EventFeed.this::load);
            }
        }
    }
}
