package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the followed logs that are open. Each one holds a web worker thread and a Docker stream for as long as
 * its client stays, so one tenant must not be able to take every worker: a tenant gets at most
 * {@code perTenant}, everyone together {@code total}. A slot is taken before the response starts, so a refusal
 * is still a proper 429 in the envelope.
 */
public class FollowSlots {
    private final int perTenant;
    private final int total;
    private final Map<String, Integer> open = new HashMap<>();
    private int openInAll;

    public FollowSlots(int perTenant, int total) {
        if (perTenant < 1 || total < perTenant) {
            throw new IllegalArgumentException("need 1 <= perTenant <= total, got " + perTenant + " and " + total);
        }
        this.perTenant = perTenant;
        this.total = total;
    }

    /** One open followed log; closing it (any number of times) gives the slot back. */
    public final class Slot implements AutoCloseable {
        private final String tenant;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String tenant) {
            this.tenant = tenant;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(tenant);
            }
        }
    }

    /** Takes a slot for {@code tenant}, or refuses with 1065 (HTTP 429) naming the limit that was reached. */
    public synchronized Slot acquire(String tenant) {
        int mine = open.getOrDefault(tenant, 0);
        if (mine >= perTenant) {
            throw ApiException.of(ErrorCode.TOO_MANY_STREAMS,
                    "tenant '%s' already follows %d log(s), the most one tenant may; close one (or read without follow=true)", tenant, mine);
        }
        if (openInAll >= total) {
            throw ApiException.of(ErrorCode.TOO_MANY_STREAMS,
                    "%d followed logs are open, the most this service allows; retry later (or read without follow=true)", openInAll);
        }
        open.put(tenant, mine + 1);
        openInAll++;
        return new Slot(tenant);
    }

    public synchronized int openFor(String tenant) {
        return open.getOrDefault(tenant, 0);
    }

    public synchronized int openInAll() {
        return openInAll;
    }

    private synchronized void release(String tenant) {
        open.computeIfPresent(tenant, (t, n) -> n > 1 ? n - 1 : null);
        openInAll--;
    }
}
