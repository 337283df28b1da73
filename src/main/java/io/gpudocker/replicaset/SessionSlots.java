package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts what each caller holds open of one kind (terminals, running commands): each holds a Docker exec and a
 * thread for as long as it lasts, so one tenant must not be able to take them all. A tenant gets at most
 * {@code perTenant}; the admin its own {@code admin} cap, so a runaway script of the admin is bounded too.
 */
public class SessionSlots {
    private final String what;
    private final String setting;
    private final int perTenant;
    private final int admin;
    private final Map<String, Integer> open = new HashMap<>();

    /**
     * @param what    the plural the refusal names, e.g. "terminals"
     * @param setting the setting a tenant's cap comes from, for the refusal
     */
    public SessionSlots(String what, String setting, int perTenant, int admin) {
        if (perTenant < 1 || admin < 1) {
            throw new IllegalArgumentException(setting + " must be at least 1");
        }
        this.what = what;
        this.setting = setting;
        this.perTenant = perTenant;
        this.admin = admin;
    }

    /** One held slot; closing it (any number of times) gives it back. */
    public final class Slot implements AutoCloseable {
        private final String key;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String key) {
            this.key = key;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(key);
            }
        }
    }

    /** Takes a slot for {@code caller}, or refuses with 1069 (HTTP 429) naming the cap. */
    public synchronized Slot acquire(Caller caller) {
        String key = key(caller);
        int mine = open.getOrDefault(key, 0);
        int cap = caller.admin() ? admin : perTenant;
        if (mine >= cap) {
            throw ApiException.of(ErrorCode.TOO_MANY_SESSIONS, "%s already has %d %s open, the most it may (%s); close one or wait",
                    caller.admin() ? "the admin" : "tenant '" + caller.tenantName() + "'", mine, what, caller.admin() ? setting.replace("per-tenant", "admin") : setting);
        }
        open.put(key, mine + 1);
        return new Slot(key);
    }

    /** Refuses (as {@link #acquire}) where {@code caller} holds its cap already, taking nothing. */
    public synchronized void requireRoom(Caller caller) {
        acquire(caller).close();
    }

    public synchronized int openFor(Caller caller) {
        return open.getOrDefault(key(caller), 0);
    }

    private static String key(Caller caller) {
        return (caller.admin() ? "admin:" : "tenant:") + caller.tenantName();
    }

    private synchronized void release(String key) {
        open.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
    }
}
