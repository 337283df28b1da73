package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Stored;
import io.gpudocker.store.Txn;
import io.gpudocker.store.VersionedRepository;
import java.util.List;

/**
 * Volume records and their versions in etcd. Each state change is ONE transaction guarded by
 * compare-and-swap on the record; each version is its own key, so a history is one range read.
 */
public class VolumeRepository extends VersionedRepository<VolumeRecord, VolumeVersion> {
    private final Intents operations;

    public VolumeRepository(KeyValueStore store, Keys keys, Intents operations) {
        super("volume", store, keys.volumes(), VolumeRecord.class, VolumeVersion.class, keys.node());
        this.operations = operations;
    }

    @Override
    protected ApiException notFound(String name) {
        return ApiException.of(ErrorCode.VOLUME_NOT_FOUND, "volume '%s' does not exist", name);
    }

    /** Commits a create, dropping its intent in the same transaction. */
    public void create(VolumeRecord record, VolumeVersion first, Intent op) {
        if (!commit(() -> operations.finish(creating(record.name(), record, first), op), record.name(), null, record)) {
            throw ApiException.of(ErrorCode.VOLUME_EXISTS, "volume '%s' already exists", record.name()).onField("name");
        }
    }

    /**
     * Moves the record to {@code after} and adds {@code newVersion}, dropping the resize's intent, or changes
     * nothing if another writer got there first.
     */
    public void resize(Stored<VolumeRecord> before, VolumeRecord after, VolumeVersion newVersion, Intent op) {
        commitGuarded(() -> operations.finish(advancing(after.name(), before, after, newVersion), op), after.name(), before.record(), after);
    }

    /**
     * Commits the adoption of one of the original project's volumes. The original kept its own value at this
     * volume's record key: {@code originalValue} (null: none) is replaced only if it is still there, and kept
     * under the mark {@code markKey}.
     */
    public boolean adopt(VolumeRecord record, VolumeVersion first, Intent op, String originalValue, String markKey, String mark) {
        String key = layout.record(record.name());
        Txn txn = new Txn();
        if (originalValue == null) {
            txn.requireAbsent(key);
        } else {
            txn.requireValue(key, originalValue);
        }
        txn.requireAbsent(layout.version(record.name(), first.version()))
                .requireAbsent(markKey)
                .put(key, Json.write(record))
                .put(layout.version(record.name(), first.version()), Json.write(first))
                .put(markKey, mark);
        return commit(operations.finish(txn, op), record.name());
    }

    /** The part of a move's transaction that moves this volume: the record (guarded) to {@code after}, adding {@code newVersion}. */
    public Txn moving(Stored<VolumeRecord> before, VolumeRecord after, VolumeVersion newVersion) {
        return advancing(after.name(), before, after, newVersion);
    }

    /** Writes a volume rebuilt from what Docker holds; false if etcd already knows it. */
    public boolean restore(VolumeRecord record, List<VolumeVersion> versions) {
        // what Docker holds is restored whatever the tenant's quota: it is counted, never refused
        return QuotaLedger.unenforced(() -> commit(() -> restoring(record.name(), record, versions), record.name(), null, record));
    }

    /** Forgets the volume: its record and every version, in one transaction. */
    public void delete(Stored<VolumeRecord> before) {
        commitGuarded(() -> forgetting(before.record().name(), before), before.record().name(), before.record(), null);
    }
}
