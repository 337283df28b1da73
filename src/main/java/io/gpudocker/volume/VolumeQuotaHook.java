package io.gpudocker.volume;

import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Resource;
import io.gpudocker.quota.Usage;
import io.gpudocker.store.RecordChangeHook;
import io.gpudocker.store.Txn;
import java.util.Map;
import java.util.Set;

/**
 * Moves the tenant's counts by a volume's change, in the change's own transaction: one volume and its declared size.
 * A volume without a size is refused where the quota bounds the total size, as it could fill the disk.
 */
public class VolumeQuotaHook implements RecordChangeHook<VolumeRecord> {
    private final QuotaLedger ledger;

    public VolumeQuotaHook(QuotaLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void contribute(Txn txn, VolumeRecord before, VolumeRecord after) {
        ledger.contribute(txn, tenant(before, after), held(after).minus(held(before)), unbounded(before, after));
    }

    @Override
    public Set<String> contendedKeys(VolumeRecord before, VolumeRecord after) {
        return ledger.contendedKeys(tenant(before, after), held(after).minus(held(before)), unbounded(before, after));
    }

    private static String tenant(VolumeRecord before, VolumeRecord after) {
        return (after != null ? after : before).tenant();
    }

    private static Map<Resource, String> unbounded(VolumeRecord before, VolumeRecord after) {
        boolean newUnbounded = after != null && after.sizeBytes() == null && (before == null || before.sizeBytes() != null);
        return newUnbounded ? Map.of(Resource.VOLUME_SIZE, "a volume without a size, which may fill the disk; give it a size") : Map.of();
    }

    /** What the record holds, as the tenant's counts see it. */
    public static Usage held(VolumeRecord r) {
        if (r == null) {
            return Usage.NONE;
        }
        return new Usage(0, 0, 1, r.sizeBytes() == null ? 0 : r.sizeBytes(), 0, 0);
    }

    /** The precheck of a create: one volume of {@code sizeBytes} (null: no size). */
    public static Usage creating(Long sizeBytes) {
        return new Usage(0, 0, 1, sizeBytes == null ? 0 : sizeBytes, 0, 0);
    }
}
