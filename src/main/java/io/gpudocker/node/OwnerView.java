package io.gpudocker.node;

import io.gpudocker.api.Owned;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.store.ChangeListener;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyChange;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Listing;
import io.gpudocker.store.Watching;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node holds each instance and volume, kept in memory from etcd: the records read once, then a watch of their
 * changes from the revision after that read. Routing asks it instead of reading the record on every call; the node it
 * names still reads the record itself and refuses what is not its own (1094), and {@link OwnerRouting} then asks
 * {@link #refresh} and tries once more, so a view a moment behind costs a hop, never a call run on the wrong node.
 * A watch that ends is resumed from the revision after the last one seen; one whose revisions were compacted away
 * is replaced by a fresh read of every record and a watch from there. Until the first read succeeds, every lookup
 * reads etcd, as routing did before.
 */
final class OwnerView implements OwnedRecords {
    private static final Logger log = LoggerFactory.getLogger(OwnerView.class);

    /** Runs work later, off the caller's thread: a retry, a resume, a fresh read. */
    interface Later {
        void after(Duration delay, Runnable work);

        /** No more work: what runs it may end. */
        default void close() {}

        /** On one daemon thread of its own. */
        static Later onItsOwnThread(String name) {
            java.util.concurrent.ScheduledExecutorService worker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            return new Later() {
                @Override
                public void after(Duration delay, Runnable work) {
                    if (!worker.isShutdown()) {
                        worker.schedule(work, delay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                    }
                }

                @Override
                public void close() { worker.shutdownNow(); }
            };
        }
    }

    /** What routing needs of a record; the rest of it is ignored (so a record of any version of the service reads). */
    record Holder(String tenant, String node) implements Owned {}

    private record Entry(Holder holder, long revision) {}

    private final KeyValueStore store;
    private final Later later;
    private final Duration retryDelay;
    private final Feed replicaSets;
    private final Feed volumes;

    OwnerView(KeyValueStore store, Keys keys, Later later, Duration retryDelay) {
        this.store = store;
        this.later = later;
        this.retryDelay = retryDelay;
        this.replicaSets = new Feed("replicaset", keys.replicaSets().records());
        this.volumes = new Feed("volume", keys.volumes().records());
    }

    /** Reads both kinds of records and starts watching them (in the background: a failure is retried, lookups read etcd meanwhile). */
    void start() {
        later.after(Duration.ZERO, replicaSets::load);
        later.after(Duration.ZERO, volumes::load);
    }

    void stop() {
        replicaSets.stop();
        volumes.stop();
        later.close();
    }

    /** Whether both kinds are answered from memory (false until their first read, and after {@link #stop}). */
    boolean ready() {
        return replicaSets.ready && volumes.ready;
    }

    @Override
    public Optional<Owned> find(Where owner, String name) {
        Feed feed = feed(owner);
        if (feed == null) {
            return Optional.empty();
        }
        if (!feed.ready) {
            return feed.read(name);
        }
        Entry e = feed.entries.get(name);
        return e == null ? Optional.empty() : Optional.of(e.holder());
    }

    /** The record as etcd holds it now; the view takes it over unless the watch has already brought a later change. */
    @Override
    public Optional<Owned> refresh(Where owner, String name) {
        Feed feed = feed(owner);
        return feed == null ? Optional.empty() : feed.read(name);
    }

    private Feed feed(Where owner) {
        return switch (owner) {
            case REPLICASET_OWNER -> replicaSets;
            case VOLUME_OWNER -> volumes;
            default -> null;
        };
    }

    /** A value that is not one of this service's records (the original project's, at the same keys) names no node. */
    private static Holder parse(String value) {
        try {
            return Json.read(value, Holder.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The records under one prefix and the watch that keeps them. */
    private final class Feed {
        private final String kind;
        private final String prefix;
        private final Map<String, Entry> entries = new ConcurrentHashMap<>();
        private volatile boolean ready;
        private boolean stopped;
        /** The revision of the last change applied (or of the read): a resumed watch starts after it. */
        private long seen;
        /** Which watch is current: a listener of an earlier one is ignored. */
        private long generation;
        private Watching watching;

        Feed(String kind, String prefix) {
            this.kind = kind;
            this.prefix = prefix;
        }

        /** Every record read anew, then a watch from the revision after that read. */
        void load() {
            Listing listing;
            try {
                synchronized (this) {
                    if (stopped) {
                        return;
                    }
                }
                closeWatch();
                listing = store.listAt(prefix);
            } catch (RuntimeException e) {
                log.warn("owner view of the {} records: cannot read them ({}); routing reads etcd per call until a retry in {} ms succeeds",
                        kind, e.getMessage(), retryDelay.toMillis());
                later.after(retryDelay, this::load);
                return;
            }
            Map<String, Entry> fresh = new HashMap<>();
            for (KeyValue kv : listing.keyValues()) {
                String name = nameOf(kv.key());
                Holder h = name == null ? null : parse(kv.value());
                if (h != null) {
                    fresh.put(name, new Entry(h, kv.modRevision()));
                }
            }
            synchronized (this) {
                entries.keySet().retainAll(fresh.keySet());
                entries.putAll(fresh);
                seen = listing.revision();
            }
            watchFrom(listing.revision() + 1);
            log.info("owner view of the {} records: {} read at revision {}, watching from there", kind, fresh.size(), listing.revision());
        }

        /** Resumes the watch after the last revision seen. */
        private void resume() {
            long from;
            synchronized (this) {
                if (stopped) {
                    return;
                }
                from = seen + 1;
            }
            closeWatch();
            watchFrom(from);
        }

        /**
         * The generation moves before the watch opens, so every change the new watch reports finds it current. The
         * etcd client is called outside the feed's lock: it reports changes holding a lock of its own, and a report
         * waits for the feed's lock, so holding the feed's lock while opening or closing a watch could deadlock.
         */
        private void watchFrom(long revision) {
            long mine;
            synchronized (this) {
                if (stopped) {
                    return;
                }
                mine = ++generation;
            }
            Watching opened;
            try {
                opened = store.watch(prefix, revision, new Listener(mine));
            } catch (RuntimeException e) {
                log.warn("owner view of the {} records: cannot watch them ({}); retrying in {} ms", kind, e.getMessage(), retryDelay.toMillis());
                later.after(retryDelay, this::resume);
                return;
            }
            boolean kept;
            synchronized (this) {
                kept = generation == mine && !stopped;
                if (kept) {
                    watching = opened;
                    ready = true;
                }
            }
            if (!kept) {
                opened.close();
            }
        }

        /** Ends the current watch (outside the feed's lock, see {@link #watchFrom}); its late reports are ignored. */
        private void closeWatch() {
            Watching old;
            synchronized (this) {
                generation++;
                old = watching;
                watching = null;
            }
            if (old != null) {
                old.close();
            }
        }

        void stop() {
            synchronized (this) {
                stopped = true;
                ready = false;
            }
            closeWatch();
        }

        private synchronized void apply(long from, List<KeyChange> changes) {
            if (from != generation) {
                return;
            }
            for (KeyChange c : changes) {
                seen = Math.max(seen, c.revision());
                String name = nameOf(c.key());
                if (name == null) {
                    continue;
                }
                Holder h = c.deleted() ? null : parse(c.value());
                if (h == null) {
                    entries.computeIfPresent(name, (k, e) -> e.revision() > c.revision() ? e : null);
                } else {
                    entries.merge(name, new Entry(h, c.revision()), (old, neu) -> old.revision() > neu.revision() ? old : neu);
                }
            }
        }

        private synchronized boolean current(long from) {
            return from == generation && !stopped;
        }

        /** The record from etcd, taken into the view unless a later change is there already. */
        Optional<Owned> read(String name) {
            Optional<KeyValue> kv = store.get(prefix + name);
            Holder h = kv.map(k -> parse(k.value())).orElse(null);
            if (ready) {
                if (h != null) {
                    entries.merge(name, new Entry(h, kv.get().modRevision()), (old, neu) -> old.revision() > neu.revision() ? old : neu);
                } else {
                    entries.remove(name);
                }
            }
            return Optional.ofNullable(h);
        }

        /** The record's name, or null for a key deeper under the prefix (not a record). */
        private String nameOf(String key) {
            String name = key.substring(prefix.length());
            return name.isEmpty() || name.contains("/") ? null : name;
        }

        /** One watch's reports, ignored once a later watch replaced it. */
        private final class Listener implements ChangeListener {
            private final long generation;

            Listener(long generation) {
                this.generation = generation;
            }

            @Override
            public void changed(List<KeyChange> changes) {
                apply(generation, changes);
            }

            @Override
            public void compacted(long compactRevision) {
                if (current(generation)) {
                    log.info("owner view of the {} records: etcd compacted past revision {} (up to {}); reading them all again", kind, seen,
                            compactRevision);
                    later.after(Duration.ZERO, Feed.this::load);
                }
            }

            @Override
            public void broken(Throwable cause) {
                if (current(generation)) {
                    log.warn("owner view of the {} records: the watch ended ({}); resuming after revision {} in {} ms", kind, cause.getMessage(), seen,
                            retryDelay.toMillis());
                    later.after(retryDelay, Feed.this::resume);
                }
            }
        }
    }
}
