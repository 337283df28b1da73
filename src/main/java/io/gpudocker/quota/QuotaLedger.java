package io.gpudocker.quota;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A tenant's quota and counts in etcd ({@code tenants/<name>/quota}, {@code tenants/<name>/usage}), and the check
 * of a take against them. The check rides in the transaction that records the take: it reads both keys, refuses a
 * take above a limit, and adds the new counts with guards on both keys' revisions, so two takes of one tenant (on
 * one node or two) can never both pass on the same counts: the second one's commit fails, is built again on the
 * new counts and then refused. Only a take is refused: what a tenant already holds is never touched, and a
 * release always lands.
 */
public class QuotaLedger {
    private static final ThreadLocal<Boolean> UNENFORCED = ThreadLocal.withInitial(() -> false);

    private final KeyValueStore store;
    private final Keys keys;
    private final Quota defaults;
    /** What each kind of record a tenant has holds, summed: the counts where no usage key was written yet. */
    private final List<Function<String, Usage>> sources = new CopyOnWriteArrayList<>();

    /** A tenant's quota and counts as read, with the keys' revisions the write must still find. */
    public record Standing(Quota quota, boolean own, Usage usage, Optional<KeyValue> quotaKey, Optional<KeyValue> usageKey) {}

    /** @param defaults the quota of a tenant the admin gave none of its own */
    public QuotaLedger(KeyValueStore store, Keys keys, Quota defaults) {
        this.store = store;
        this.keys = keys;
        this.defaults = defaults;
    }

    /**
     * Runs {@code action} counting but never refusing: what already exists (a record rebuilt from Docker, an adopted
     * instance) is counted whatever the quota says.
     */
    public static <T> T unenforced(Supplier<T> action) {
        boolean outer = UNENFORCED.get();
        UNENFORCED.set(true);
        try {
            return action.get();
        } finally {
            UNENFORCED.set(outer);
        }
    }

    /** Whether a tenant's holdings are counted: the admin's (and records before tenancy, null) are not. */
    public static boolean counted(String tenant) {
        return tenant != null && !Caller.ADMIN_NAME.equals(tenant);
    }

    /** Adds a kind of record to the first count of a tenant (see {@link #sources}). */
    public void addSource(Function<String, Usage> source) {
        sources.add(source);
    }

    public Quota defaults() {
        return defaults;
    }

    /** The tenant's quota and counts: one range read. */
    public Standing read(String tenant) {
        Optional<KeyValue> quota = Optional.empty();
        Optional<KeyValue> usage = Optional.empty();
        for (KeyValue kv : store.list(keys.tenant(tenant))) {
            if (kv.key().equals(keys.tenantQuota(tenant))) {
                quota = Optional.of(kv);
            } else if (kv.key().equals(keys.tenantUsage(tenant))) {
                usage = Optional.of(kv);
            }
        }
        Quota q = quota.map(kv -> Json.read(kv.value(), Quota.class)).orElse(defaults);
        Usage u = usage.map(kv -> Json.read(kv.value(), Usage.class)).orElseGet(() -> baseline(tenant));
        return new Standing(q, quota.isPresent(), u, quota, usage);
    }

    /**
     * Adds the take or release {@code delta} of {@code tenant} to {@code txn}: refused (1100, nothing added) when it
     * takes more of a resource than the quota leaves, or asks without bound ({@code unbounded}: the resource and what
     * was asked, e.g. a volume without a size) for one the quota limits.
     */
    public void contribute(Txn txn, String tenant, Usage delta, Map<Resource, String> unbounded) {
        if (!counted(tenant) || delta.none() && unbounded.isEmpty()) {
            return;
        }
        Standing s = read(tenant);
        if (!UNENFORCED.get()) {
            refuseOver(tenant, s, delta, unbounded);
            guard(txn, keys.tenantQuota(tenant), s.quotaKey());
        }
        if (!delta.none()) {
            guard(txn, keys.tenantUsage(tenant), s.usageKey());
            txn.put(keys.tenantUsage(tenant), Json.write(atLeastNone(s.usage().plus(delta))));
        }
    }

    /** The keys {@link #contribute} guards for the same arguments, without reading them. */
    public Set<String> contendedKeys(String tenant, Usage delta, Map<Resource, String> unbounded) {
        if (!counted(tenant) || delta.none() && unbounded.isEmpty()) {
            return Set.of();
        }
        Set<String> guarded = new HashSet<>();
        if (!UNENFORCED.get()) {
            guarded.add(keys.tenantQuota(tenant));
        }
        if (!delta.none()) {
            guarded.add(keys.tenantUsage(tenant));
        }
        return guarded;
    }

    /** The same check without a transaction: a create is refused before it reserves or makes anything. */
    public void precheck(String tenant, Usage delta, Map<Resource, String> unbounded) {
        if (counted(tenant) && !UNENFORCED.get()) {
            refuseOver(tenant, read(tenant), delta, unbounded);
        }
    }

    private static void refuseOver(String tenant, Standing s, Usage delta, Map<Resource, String> unbounded) {
        for (Resource r : Resource.values()) {
            Long limit = s.quota().limit(r);
            if (limit == null || !r.stored()) {
                continue;
            }
            long used = s.usage().of(r);
            if (unbounded.containsKey(r)) {
                throw exceeded(tenant, r, limit, used, unbounded.get(r));
            }
            long asked = delta.of(r);
            if (asked > 0 && used + asked > limit) {
                throw exceeded(tenant, r, limit, used, r.format(asked));
            }
        }
    }

    /** The refusal of a take over quota: "quota gpus of tenant alice: limit 4, in use 3, asked 2". */
    public static ApiException exceeded(String tenant, Resource r, long limit, long used, String asked) {
        return ApiException.of(ErrorCode.QUOTA_EXCEEDED, "quota %s of tenant %s: limit %s, in use %s, asked %s", r.key(), tenant,
                r.format(limit), r.format(used), asked);
    }

    private Usage baseline(String tenant) {
        return sources.stream().map(s -> s.apply(tenant)).reduce(Usage.NONE, Usage::plus);
    }

    private static void guard(Txn txn, String key, Optional<KeyValue> read) {
        if (read.isPresent()) {
            txn.requireModRevision(key, read.get().modRevision());
        } else {
            txn.requireAbsent(key);
        }
    }

    /** Counts never go below none, whatever a record older than the counts released. */
    private static Usage atLeastNone(Usage u) {
        return new Usage(Math.max(0, u.gpus()), Math.max(0, u.instances()), Math.max(0, u.volumes()), Math.max(0, u.volumeSize()),
                Math.max(0, u.cores()), Math.max(0, u.memory()));
    }

    /** Gives {@code tenant} a quota of its own. */
    public void set(String tenant, Quota quota) {
        store.commit(new Txn().put(keys.tenantQuota(tenant), Json.write(quota)));
    }

    /** The tenant's quota is the defaults again. */
    public void reset(String tenant) {
        store.commit(new Txn().delete(keys.tenantQuota(tenant)));
    }
}
