package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Quotas;
import io.gpudocker.quota.Resource;
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
    private volatile Quotas quotas;
    private volatile Resource resource;

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

    /**
     * Bounds a tenant's slots by its quota on {@code resource} too (refused with 1100), and reports what each tenant
     * holds open to the quota views.
     */
    public SessionSlots withQuota(Quotas quotas, Resource resource) {
        this.quotas = quotas;
        this.resource = resource;
        quotas.countLocally(resource, tenant -> openFor(Caller.tenant(tenant)));
        return this;
    }

    /**
     * Takes a slot for {@code caller}, or refuses with 1100 (HTTP 409) naming its quota, or with 1069 (HTTP 429) naming
     * the cap. The quota is read before the count is looked at, so no caller waits on etcd for another's read.
     */
    public Slot acquire(Caller caller) {
        Long quota = caller.admin() || quotas == null ? null : quotas.limit(caller.tenantName(), resource);
        return take(caller, quota);
    }

    private synchronized Slot take(Caller caller, Long quota) {
        String key = key(caller);
        int mine = open.getOrDefault(key, 0);
        if (quota != null && mine + 1L > quota) {
            throw QuotaLedger.exceeded(caller.tenantName(), resource, quota, mine, "1");
        }
        int cap = caller.admin() ? admin : perTenant;
        if (mine >= cap) {
            throw ApiException.of(ErrorCode.TOO_MANY_SESSIONS, "%s already has %d %s open, the most it may (%s); close one or wait",
                    caller.admin() ? "the admin" : "tenant '" + caller.tenantName() + "'", mine, what, caller.admin() ? setting.replace("per-tenant", "admin") : setting);
        }
        open.put(key, mine + 1);
        return new Slot(key);
    }

    /** Refuses (as {@link #acquire}) where {@code caller} holds its cap already, taking nothing. */
    public void requireRoom(Caller caller) {
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
