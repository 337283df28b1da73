package io.gpudocker.quota;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ByteSizes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading and setting tenants' quotas, and what a tenant holds against them across the cluster: the counts etcd
 * keeps of its records, and its open sessions and committed images, one key each ({@link TenantHolds}).
 */
public class Quotas {
    private static final Logger log = LoggerFactory.getLogger(Quotas.class);

    private final QuotaLedger ledger;
    private final boolean enabled;
    private final TenantHolds holds;

    /** @param enabled false: no limit applies anywhere (gda.quota.enabled) */
    public Quotas(QuotaLedger ledger, boolean enabled, TenantHolds holds) {
        this.ledger = ledger;
        this.enabled = enabled;
        this.holds = holds;
    }

    /** Whether quotas apply at all; without them nothing is counted that only a quota needs. */
    public boolean enabled() {
        return enabled;
    }

    /** Where the sessions and images of tenants are counted, one key each. */
    public TenantHolds holds() {
        return holds;
    }

    /** The tenant's limit on {@code r} (its own quota, else the defaults); null: none. */
    public Long limit(String tenant, Resource r) {
        return enabled && QuotaLedger.counted(tenant) ? ledger.read(tenant).quota().limit(r) : null;
    }

    /** The tenant's quota and use, resource by resource, over every node. */
    public QuotaViews.View view(String tenant) {
        QuotaLedger.Standing s = ledger.read(tenant);
        List<QuotaViews.Line> lines = new ArrayList<>();
        for (Resource r : Resource.values()) {
            Long limit = s.quota().limit(r);
            Long used = r.stored() ? Long.valueOf(s.usage().of(r)) : held(r, tenant);
            lines.add(new QuotaViews.Line(r.key(), limit, used, limit == null ? null : r.format(limit), used == null ? "unknown" : r.format(used),
                    "cluster"));
        }
        return new QuotaViews.View(tenant, !s.own(), lines);
    }

    /** What the tenant holds of {@code r} on every node; null when it cannot be told now. */
    private Long held(Resource r, String tenant) {
        try {
            return holds.count(r, tenant);
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
