package io.gpudocker.quota;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ByteSizes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading and setting tenants' quotas, and what a tenant holds against them: the counts etcd keeps, and the ones
 * this node counts itself (its open sessions, the commits in its Docker engine), registered by the features that
 * hold them.
 */
public class Quotas {
    private static final Logger log = LoggerFactory.getLogger(Quotas.class);

    private final QuotaLedger ledger;
    private final boolean enabled;
    private final Map<Resource, ToLongFunction<String>> local = new EnumMap<>(Resource.class);

    /** @param enabled false: no limit applies anywhere (gda.quota.enabled) */
    public Quotas(QuotaLedger ledger, boolean enabled) {
        this.ledger = ledger;
        this.enabled = enabled;
    }

    /** {@code count} answers how much of {@code r} a tenant holds on this node. */
    public synchronized void countLocally(Resource r, ToLongFunction<String> count) {
        local.put(r, count);
    }

    /** The tenant's limit on {@code r} (its own quota, else the defaults); null: none. */
    public Long limit(String tenant, Resource r) {
        return enabled && QuotaLedger.counted(tenant) ? ledger.read(tenant).quota().limit(r) : null;
    }

    /** The tenant's quota and use, resource by resource. */
    public QuotaViews.View view(String tenant) {
        QuotaLedger.Standing s = ledger.read(tenant);
        List<QuotaViews.Line> lines = new ArrayList<>();
        for (Resource r : Resource.values()) {
            Long limit = s.quota().limit(r);
            Long used = r.stored() ? Long.valueOf(s.usage().of(r)) : localCount(r, tenant);
            lines.add(new QuotaViews.Line(r.key(), limit, used, limit == null ? null : r.format(limit), used == null ? "unknown" : r.format(used),
                    r.stored() ? "cluster" : "node"));
        }
        return new QuotaViews.View(tenant, !s.own(), lines);
    }

    /** What this node counts of {@code r}; null when it cannot tell now (its Docker engine does not answer). */
    private Long localCount(Resource r, String tenant) {
        ToLongFunction<String> count;
        synchronized (this) {
            count = local.get(r);
        }
        try {
            return count == null ? 0 : count.applyAsLong(tenant);
        } catch (RuntimeException e) {
            // a view must not fail for want of one count: who-am-I signs the console in
            log.debug("quota view of tenant {}: {} not counted now: {}", tenant, r.key(), e.getMessage());
            return null;
        }
    }

    /** Gives the tenant its own quota (every limit replaced; one left out is none). */
    public QuotaViews.View set(String tenant, QuotaViews.Update u) {
        Quota q = new Quota(u.gpus(), u.instances(), u.volumes(), size(u.volumeSize(), "volumeSize"), u.cores(), size(u.memory(), "memory"),
                u.executes(), u.terminals(), u.images());
        ledger.set(tenant, q);
        log.info("quota of tenant {} set: {}", tenant, q);
        return view(tenant);
    }

    /** The tenant's quota is the defaults again. */
    public QuotaViews.View reset(String tenant) {
        ledger.reset(tenant);
        log.info("quota of tenant {} reset to the defaults", tenant);
        return view(tenant);
    }

    /** A size limit: null (none), "0", or a number with KB, MB, GB or TB. */
    static Long size(String text, String field) {
        if (text == null || text.isBlank()) {
            return null;
        }
        if (text.trim().equals("0")) {
            return 0L;
        }
        BigDecimal bytes = ByteSizes.bytesOf(text).orElseThrow(() -> ApiException.of(ErrorCode.QUOTA_INVALID,
                "%s '%s' is invalid: expected a number followed by KB, MB, GB or TB, e.g. 500GB, or 0", field, text).onField(field));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw ApiException.of(ErrorCode.QUOTA_INVALID, "%s '%s' is invalid: too large", field, text).onField(field);
        }
        return bytes.longValueExact();
    }
}
