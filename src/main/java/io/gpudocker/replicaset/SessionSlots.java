package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Quotas;
import io.gpudocker.quota.Resource;
import io.gpudocker.quota.TenantHolds;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts what each caller holds open of one kind (terminals, running commands): each holds a Docker exec and a
 * thread for as long as it lasts, so one tenant must not be able to take them all. A tenant gets at most
 * {@code perTenant} on this node; the admin its own {@code admin} cap, so a runaway script of the admin is bounded too.
 * A tenant's quota on them bounds the tenant on every node together.
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

    /** One held slot; closing it (any number of times) gives it back, here and in etcd. */
    public final class Slot implements AutoCloseable {
        private final String key;
        private final TenantHolds.Hold hold;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String key, TenantHolds.Hold hold) {
            this.key = key;
            this.hold = hold;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(key);
                if (hold != null) {
                    hold.close();
                }
            }
        }
    }

    /**
     * Bounds a tenant's slots by its quota on {@code resource} too (refused with 1100), counted over every node: each
     * slot a tenant holds is a key in etcd under this node's lease (see {@link TenantHolds}).
     */
    public SessionSlots withQuota(Quotas quotas, Resource resource) {
        this.quotas = quotas;
        this.resource = resource;
        return this;
    }

    /**
     * Takes a slot for {@code caller}, or refuses with 1100 (HTTP 409) naming its quota, or with 1069 (HTTP 429) naming
     * the cap. The quota is taken first, in etcd, outside this node's lock, so no caller waits on etcd for another's.
     */
    public Slot acquire(Caller caller) {
        TenantHolds.Hold hold = counted(caller) ? takeQuota(caller.tenantName()) : null;
        try {
            return new Slot(take(caller), hold);
        } catch (RuntimeException e) {
            if (hold != null) {
                hold.close();
            }
            throw e;
        }
    }

    private boolean counted(Caller caller) {
        return quotas != null && quotas.enabled() && !caller.admin() && QuotaLedger.counted(caller.tenantName());
    }

    private TenantHolds.Hold takeQuota(String tenant) {
        Long limit = quotas.limit(tenant, resource);
        return quotas.holds().take(resource, tenant, limit, UUID.randomUUID().toString(), true).orElseThrow();
    }

    private synchronized String take(Caller caller) {
        String key = key(caller);
        int mine = open.getOrDefault(key, 0);
        int cap = caller.admin() ? admin : perTenant;
        if (mine >= cap) {
            throw ApiException.of(ErrorCode.TOO_MANY_SESSIONS, "%s already has %d %s open, the most it may (%s); close one or wait",
                    caller.admin() ? "the admin" : "tenant '" + caller.tenantName() + "'", mine, what, caller.admin() ? setting.replace("per-tenant", "admin") : setting);
        }
        open.put(key, mine + 1);
        return key;
    }

    /** Refuses (as {@link #acquire}) where {@code caller} holds its cap or its quota already, taking nothing. */
    public void requireRoom(Caller caller) {
        if (counted(caller)) {
            String tenant = caller.tenantName();
            quotas.holds().requireRoom(resource, tenant, quotas.limit(tenant, resource));
        }
        synchronized (this) {
            release(take(caller));
        }
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
