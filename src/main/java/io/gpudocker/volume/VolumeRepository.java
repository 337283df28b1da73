package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Stored;
import io.gpudocker.store.VersionedRepository;

/**
 * Volume records and their versions in etcd. Each state change is ONE transaction guarded by
 * compare-and-swap on the record; each version is its own key, so a history is one range read.
 */
public class VolumeRepository extends VersionedRepository<VolumeRecord, VolumeVersion> {

    public VolumeRepository(KeyValueStore store, Keys keys) {
        super("volume", store, keys.volumes(), VolumeRecord.class, VolumeVersion.class);
    }

    @Override
    protected ApiException notFound(String name) {
        return ApiException.of(ErrorCode.VOLUME_NOT_FOUND, "volume '%s' does not exist", name);
    }

    public void create(VolumeRecord record, VolumeVersion first) {
        if (!commit(creating(record.name(), record, first), record.name())) {
            throw ApiException.of(ErrorCode.VOLUME_EXISTS, "volume '%s' already exists", record.name());
        }
    }

    /** Moves the record to {@code after} and adds {@code newVersion}, or changes nothing if another writer got there first. */
    public void resize(Stored<VolumeRecord> before, VolumeRecord after, VolumeVersion newVersion) {
        commitGuarded(advancing(after.name(), before, after, newVersion), after.name());
    }

    /** Forgets the volume: its record and every version, in one transaction. */
    public void delete(Stored<VolumeRecord> before) {
        commitGuarded(forgetting(before.record().name(), before), before.record().name());
    }
}
