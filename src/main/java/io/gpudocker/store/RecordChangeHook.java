package io.gpudocker.store;

import java.util.Set;

/**
 * What else must change in the same etcd transaction as a record, so that both land or neither does: a
 * tenant's counts that a quota guards, a usage interval that meters what the record held.
 *
 * @param <R> the record type of the repository it is registered with
 */
public interface RecordChangeHook<R> {
    /**
     * Adds guards and operations to {@code txn}, which moves a record from {@code before} to {@code after}.
     *
     * @param before the record as read before the change; null when the record is being created or restored
     * @param after  the record once the change lands; null when the record is being forgotten
     */
    void contribute(Txn txn, R before, R after);

    /**
     * The keys {@link #contribute} will guard as contended for this change (a tenant's counts), known without a read:
     * this process's writers of the same keys take them one at a time (see {@link VersionedRepository}).
     */
    default Set<String> contendedKeys(R before, R after) {
        return Set.of();
    }
}
