package io.gpudocker.common;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises calls on the same name while calls on different names run in parallel. A name's entry lives
 * only while someone holds or waits for its lock, so names that come and go (every request names one,
 * valid or not) do not pile up.
 */
public class NameLocks {
    private final ConcurrentHashMap<String, Entry> locks = new ConcurrentHashMap<>();
    private final Duration wait;

    /** A lock and how many callers hold or wait for it; {@code users} changes only inside the map's compute. */
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }

    public NameLocks(Duration wait) {
        this.wait = wait;
    }

    /** Holds every one of {@code names}, taken in their natural order so that two callers asking for overlapping sets cannot deadlock. */
    public Held lockAll(Collection<String> names) {
        List<Held> held = new ArrayList<>();
        try {
            for (String name : new TreeSet<>(names)) {
                held.add(lock(name));
            }
        } catch (RuntimeException e) {
            closeAll(held);
            throw e;
        }
        return () -> closeAll(held);
    }

    private static void closeAll(List<Held> held) {
        for (int i = held.size() - 1; i >= 0; i--) {
            held.get(i).close();
        }
    }

    public Held lock(String name) {
        Entry entry = locks.compute(name, (n, e) -> {
            Entry used = e == null ? new Entry() : e;
            used.users++;
            return used;
        });
        boolean locked = false;
        try {
            locked = entry.lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leave(name);
            throw ApiException.of(ErrorCode.BUSY, "interrupted while waiting for another operation on '%s'", name);
        }
        if (!locked) {
            leave(name);
            throw ApiException.of(ErrorCode.BUSY, "another operation on '%s' has been running for over %d s; try again later", name, wait.toSeconds());
        }
        return () -> {
            entry.lock.unlock();
            leave(name);
        };
    }

    /** How many names have an entry: those held or waited for. */
    int size() {
        return locks.size();
    }

    private void leave(String name) {
        locks.computeIfPresent(name, (n, e) -> --e.users == 0 ? null : e);
    }

    /** A held lock; closing it releases it. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
