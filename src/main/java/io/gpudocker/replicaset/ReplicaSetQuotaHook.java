package io.gpudocker.replicaset;

import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Resource;
import io.gpudocker.quota.Usage;
import io.gpudocker.store.RecordChangeHook;
import io.gpudocker.store.Txn;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * Moves the tenant's counts by what a replicaset's change takes or gives back, in the change's own transaction:
 * an instance that holds resources (running, paused, exited) counts as one with its GPUs, cores and memory; a
 * stopped one counts nothing. A new take of unpinned cores or of no memory limit is refused where the quota bounds
 * them, as it could use the whole host.
 */
public class ReplicaSetQuotaHook implements RecordChangeHook<ReplicaSetRecord> {
    private final QuotaLedger ledger;

    public ReplicaSetQuotaHook(QuotaLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void contribute(Txn txn, ReplicaSetRecord before, ReplicaSetRecord after) {
        String tenant = (after != null ? after : before).tenant();
        ledger.contribute(txn, tenant, held(after).minus(held(before)), unbounded(before, after));
    }

    @Override
    public Set<String> contendedKeys(ReplicaSetRecord before, ReplicaSetRecord after) {
        String tenant = (after != null ? after : before).tenant();
        return ledger.contendedKeys(tenant, held(after).minus(held(before)), unbounded(before, after));
    }

    /** What the record holds, as the tenant's counts see it. */
    public static Usage held(ReplicaSetRecord r) {
        if (r == null || !r.state().holdsResources()) {
            return Usage.NONE;
        }
        return new Usage(r.gpus().size(), 1, 0, 0, r.cpus().size(), r.memory());
    }

    private static Map<Resource, String> unbounded(ReplicaSetRecord before, ReplicaSetRecord after) {
        Map<Resource, String> asked = new EnumMap<>(Resource.class);
        if (after == null || !after.state().holdsResources()) {
            return asked;
        }
        boolean held = before != null && before.state().holdsResources();
        if (after.cpus().isEmpty() && !(held && before.cpus().isEmpty())) {
            asked.put(Resource.CORES, "unpinned cores (cpuCount 0, or none and no default share), which may use every core; ask for cpuCount");
        }
        if (after.memory() == 0 && !(held && before.memory() == 0)) {
            asked.put(Resource.MEMORY, "no memory limit (memory 0, or none and no default share); ask for memory");
        }
        return asked;
    }
}
