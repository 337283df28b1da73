package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Replicaset records, their versions and their GPU/port allocations in etcd. Each state change is ONE
 * transaction guarded by compare-and-swap on the record, so two writers can never both win.
 */
public class ReplicaSetRepository {
    private final KeyValueStore store;
    private final Keys keys;

    /** A record as read, with the revision a later write must still find. */
    public record Stored(ReplicaSetRecord record, long modRevision) {}

    public ReplicaSetRepository(KeyValueStore store, Keys keys) {
        this.store = store;
        this.keys = keys;
    }

    public Optional<Stored> find(String name) {
        return store.get(keys.replicaSet(name)).map(kv -> new Stored(Json.read(kv.value(), ReplicaSetRecord.class), kv.modRevision()));
    }

    public Stored require(String name) {
        return find(name).orElseThrow(() -> ApiException.of(ErrorCode.REPLICASET_NOT_FOUND, "replicaset '%s' does not exist", name));
    }

    public List<ReplicaSetRecord> list() {
        return store.list(keys.replicaSets()).stream().map(kv -> Json.read(kv.value(), ReplicaSetRecord.class)).toList();
    }

    /** Every version, newest first, in one range read. */
    public List<ReplicaSetVersion> history(String name) {
        return store.list(keys.replicaSetVersions(name)).stream()
                .map(kv -> Json.read(kv.value(), ReplicaSetVersion.class))
                .sorted(Comparator.comparingLong(ReplicaSetVersion::version).reversed())
                .toList();
    }

    public Optional<ReplicaSetVersion> version(String name, long version) {
        return store.get(keys.replicaSetVersion(name, version)).map(kv -> Json.read(kv.value(), ReplicaSetVersion.class));
    }

    public void create(ReplicaSetRecord record, ReplicaSetVersion first) {
        Txn txn = new Txn().requireAbsent(keys.replicaSet(record.name()))
                .put(keys.replicaSet(record.name()), Json.write(record))
                .put(keys.replicaSetVersion(record.name(), first.version()), Json.write(first));
        claim(txn, record.name(), Set.of(), Set.of(), record);
        if (!store.commit(txn)) {
            throw ApiException.of(ErrorCode.REPLICASET_EXISTS, "replicaset '%s' already exists (or one of its GPUs/ports was taken by another writer)", record.name());
        }
    }

    /** Moves {@code before} to {@code after}, adding {@code newVersion} if given; allocations follow the difference. */
    public void update(Stored before, ReplicaSetRecord after, ReplicaSetVersion newVersion) {
        ReplicaSetRecord old = before.record();
        Txn txn = new Txn().requireModRevision(keys.replicaSet(old.name()), before.modRevision())
                .put(keys.replicaSet(old.name()), Json.write(after));
        if (newVersion != null) {
            txn.requireAbsent(keys.replicaSetVersion(old.name(), newVersion.version()))
                    .put(keys.replicaSetVersion(old.name(), newVersion.version()), Json.write(newVersion));
        }
        Set<String> oldGpus = new HashSet<>(old.gpus());
        Set<Integer> oldPorts = new HashSet<>(old.ports().values());
        claim(txn, old.name(), oldGpus, oldPorts, after);
        for (String gpu : oldGpus) {
            if (!after.gpus().contains(gpu)) {
                txn.requireValue(keys.gpu(gpu), old.name()).delete(keys.gpu(gpu));
            }
        }
        for (Integer port : oldPorts) {
            if (!after.ports().containsValue(port)) {
                txn.requireValue(keys.port(port), old.name()).delete(keys.port(port));
            }
        }
        if (!store.commit(txn)) {
            throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "replicaset '%s' was changed by another writer during this call; nothing was changed, retry", old.name());
        }
    }

    /** Forgets the replicaset: record, every version and its allocations, in one transaction. */
    public void delete(Stored before) {
        ReplicaSetRecord old = before.record();
        Txn txn = new Txn().requireModRevision(keys.replicaSet(old.name()), before.modRevision())
                .delete(keys.replicaSet(old.name()))
                .deletePrefix(keys.replicaSetVersions(old.name()));
        old.gpus().forEach(g -> txn.delete(keys.gpu(g)));
        old.ports().values().forEach(p -> txn.delete(keys.port(p)));
        if (!store.commit(txn)) {
            throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "replicaset '%s' was changed by another writer during this call; nothing was changed, retry", old.name());
        }
    }

    public Map<String, String> gpuAllocations() {
        Map<String, String> result = new LinkedHashMap<>();
        for (KeyValue kv : store.list(keys.gpus())) {
            result.put(Keys.lastSegment(kv.key()), kv.value());
        }
        return result;
    }

    public Map<Integer, String> portAllocations() {
        Map<Integer, String> result = new LinkedHashMap<>();
        for (KeyValue kv : store.list(keys.ports())) {
            result.put(Integer.parseInt(Keys.lastSegment(kv.key())), kv.value());
        }
        return result;
    }

    /** Drops allocation keys that no record accounts for (left by a writer that died between steps). */
    public void dropAllocation(String gpuUuid, Integer port, String holder) {
        Txn txn = new Txn();
        if (gpuUuid != null) {
            txn.requireValue(keys.gpu(gpuUuid), holder).delete(keys.gpu(gpuUuid));
        }
        if (port != null) {
            txn.requireValue(keys.port(port), holder).delete(keys.port(port));
        }
        store.commit(txn);
    }

    private void claim(Txn txn, String name, Set<String> alreadyHeldGpus, Set<Integer> alreadyHeldPorts, ReplicaSetRecord after) {
        for (String gpu : after.gpus()) {
            if (!alreadyHeldGpus.contains(gpu)) {
                txn.requireAbsent(keys.gpu(gpu)).put(keys.gpu(gpu), name);
            }
        }
        for (Integer port : after.ports().values()) {
            if (!alreadyHeldPorts.contains(port)) {
                txn.requireAbsent(keys.port(port)).put(keys.port(port), name);
            }
        }
    }
}
