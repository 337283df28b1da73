package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Volume records and their versions in etcd. Each state change is ONE transaction guarded by
 * compare-and-swap on the record; each version is its own key, so a history is one range read.
 */
public class VolumeRepository {
    private final KeyValueStore store;
    private final Keys keys;

    /** A record as read, with the revision a later write must still find. */
    public record Stored(VolumeRecord record, long modRevision) {}

    public VolumeRepository(KeyValueStore store, Keys keys) {
        this.store = store;
        this.keys = keys;
    }

    public Optional<Stored> find(String name) {
        return store.get(keys.volume(name)).map(kv -> new Stored(Json.read(kv.value(), VolumeRecord.class), kv.modRevision()));
    }

    public Stored require(String name) {
        return find(name).orElseThrow(() -> ApiException.of(ErrorCode.VOLUME_NOT_FOUND, "volume '%s' does not exist", name));
    }

    public List<VolumeRecord> list() {
        return store.list(keys.volumes()).stream().map(kv -> Json.read(kv.value(), VolumeRecord.class)).toList();
    }

    /** Every version, newest first, in one range read. */
    public List<VolumeVersion> history(String name) {
        return store.list(keys.volumeVersions(name)).stream()
                .map(kv -> Json.read(kv.value(), VolumeVersion.class))
                .sorted(Comparator.comparingLong(VolumeVersion::version).reversed())
                .toList();
    }

    public void create(VolumeRecord record, VolumeVersion first) {
        Txn txn = new Txn().requireAbsent(keys.volume(record.name()))
                .requireAbsent(keys.volumeVersion(record.name(), first.version()))
                .put(keys.volume(record.name()), Json.write(record))
                .put(keys.volumeVersion(record.name(), first.version()), Json.write(first));
        if (!store.commit(txn)) {
            throw ApiException.of(ErrorCode.VOLUME_EXISTS, "volume '%s' already exists", record.name());
        }
    }

    /** Moves the record to {@code after} and adds {@code newVersion}, or changes nothing if another writer got there first. */
    public void resize(Stored before, VolumeRecord after, VolumeVersion newVersion) {
        String name = before.record().name();
        Txn txn = new Txn().requireModRevision(keys.volume(name), before.modRevision())
                .requireAbsent(keys.volumeVersion(name, newVersion.version()))
                .put(keys.volume(name), Json.write(after))
                .put(keys.volumeVersion(name, newVersion.version()), Json.write(newVersion));
        if (!store.commit(txn)) {
            throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "volume '%s' was changed by another writer during this call; nothing was changed, retry", name);
        }
    }

    /** Forgets the volume: its record and every version, in one transaction. */
    public void delete(Stored before) {
        String name = before.record().name();
        Txn txn = new Txn().requireModRevision(keys.volume(name), before.modRevision())
                .delete(keys.volume(name))
                .deletePrefix(keys.volumeVersions(name));
        if (!store.commit(txn)) {
            throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "volume '%s' was changed by another writer during this call; nothing was changed, retry", name);
        }
    }
}
