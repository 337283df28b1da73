package io.gpudocker.common;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/** Serialises calls on the same name while calls on different names run in parallel. */
public class NameLocks {
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Duration wait;

    public NameLocks(Duration wait) {
        this.wait = wait;
    }

    public Held lock(String name) {
        ReentrantLock lock = locks.computeIfAbsent(name, n -> new ReentrantLock(true));
        try {
            if (!lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw ApiException.of(ErrorCode.BUSY, "another operation on '%s' has been running for over %d s; try again later", name, wait.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.of(ErrorCode.BUSY, "interrupted while waiting for another operation on '%s'", name);
        }
        return lock::unlock;
    }

    /** A held lock; closing it releases it. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
