package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.validation.NameSyntax;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Operation;
import io.gpudocker.store.Operations;
import io.gpudocker.store.Stored;
import io.gpudocker.store.Txn;
import io.gpudocker.store.VersionedRepository;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicaset records, their versions and their GPU/port allocations in etcd. Each state change is ONE
 * transaction guarded by compare-and-swap on the record, carrying the allocation keys (GPUs, host ports, CPU
 * cores) it takes or frees.
 */
public class ReplicaSetRepository extends VersionedRepository<ReplicaSetRecord, ReplicaSetVersion> {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSetRepository.class);
    /** The key under which the original project kept its whole GPU map. */
    static final String ORIGINAL_GPU_MAP_KEY = "gpuStatusMapKey";

    private final Keys keys;
    private final Operations operations;

    public ReplicaSetRepository(KeyValueStore store, Keys keys, Operations operations) {
        super("replicaset", store, keys.replicaSets(), ReplicaSetRecord.class, ReplicaSetVersion.class, keys.node());
        this.keys = keys;
        this.operations = operations;
    }

    @Override
    protected String tenantOf(ReplicaSetRecord record) {
        return record.tenant();
    }

    @Override
    protected String nodeOf(ReplicaSetRecord record) {
        return record.node();
    }

    @Override
    protected ApiException notFound(String name) {
        return ApiException.of(ErrorCode.REPLICASET_NOT_FOUND, "replicaset '%s' does not exist", name);
    }

    /** The full record of the record's current version (written in the same transaction, so always there). */
    public ReplicaSetVersion current(ReplicaSetRecord record) {
        return version(record.name(), record.version()).orElseThrow(() -> new IllegalStateException(
                "replicaset " + record.name() + " has no record of its current version " + record.version()));
    }

    /** Commits a create: record, version 1 and allocations, dropping the create's intent in the same transaction. */
    public void create(ReplicaSetRecord record, ReplicaSetVersion first, Operation op) {
        Txn txn = operations.finish(creating(record.name(), record, first), op);
        claim(txn, record.name(), Set.of(), Set.of(), Set.of(), record);
        if (!commit(txn, record.name())) {
            throw ApiException.of(ErrorCode.REPLICASET_EXISTS, "replicaset '%s' already exists (or one of its GPUs/ports was taken by another writer)", record.name());
        }
    }

    /**
     * Commits the adoption of one of the original project's replicasets: record, its first version here and its
     * allocations, with the mark {@code markKey} (absent until now) that it was imported, dropping the intent.
     */
    public boolean adopt(ReplicaSetRecord record, ReplicaSetVersion first, Operation op, String markKey, String mark) {
        Txn txn = operations.finish(creating(record.name(), record, first), op).requireAbsent(markKey).put(markKey, mark);
        claim(txn, record.name(), Set.of(), Set.of(), Set.of(), record);
        return commit(txn, record.name());
    }

    /** Moves {@code before} to {@code after}, adding {@code newVersion} if given; allocations follow the difference. */
    public void update(Stored<ReplicaSetRecord> before, ReplicaSetRecord after, ReplicaSetVersion newVersion) {
        update(before, after, newVersion, null);
    }

    /**
     * Moves {@code before} to {@code after}, adding {@code newVersion} if given and dropping the intent of the
     * operation that made it; allocations follow the difference.
     */
    public void update(Stored<ReplicaSetRecord> before, ReplicaSetRecord after, ReplicaSetVersion newVersion, Operation op) {
        ReplicaSetRecord old = before.record();
        Txn txn = operations.finish(advancing(old.name(), before, after, newVersion), op);
        Set<String> oldGpus = new HashSet<>(old.gpus());
        Set<Integer> oldPorts = new HashSet<>(old.ports().values());
        Set<Integer> oldCpus = new HashSet<>(old.cpus());
        claim(txn, old.name(), oldGpus, oldPorts, oldCpus, after);
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
        for (Integer core : oldCpus) {
            if (!after.cpus().contains(core)) {
                txn.requireValue(keys.cpu(core), old.name()).delete(keys.cpu(core));
            }
        }
        commitGuarded(txn, old.name());
    }

    /**
     * Forgets the replicaset: record, every version and its allocations, in one transaction that also writes
     * the delete's intent, so the containers it lists may be removed even if this process dies first.
     */
    public void delete(Stored<ReplicaSetRecord> before, Operation intent) {
        ReplicaSetRecord old = before.record();
        Txn txn = operations.record(forgetting(old.name(), before), intent);
        old.gpus().forEach(g -> txn.delete(keys.gpu(g)));
        old.ports().values().forEach(p -> txn.delete(keys.port(p)));
        old.cpus().forEach(c -> txn.delete(keys.cpu(c)));
        commitGuarded(txn, old.name());
    }

    /**
     * Writes a replicaset rebuilt from what Docker holds, with the allocations its record holds; false if
     * etcd already knows it or one of its GPUs or ports is held by another record.
     */
    public boolean restore(ReplicaSetRecord record, List<ReplicaSetVersion> versions) {
        Txn txn = restoring(record.name(), record, versions);
        claim(txn, record.name(), Set.of(), Set.of(), Set.of(), record);
        return store.commit(txn);
    }

    /**
     * GPU UUID to holder. Keys that are not an allocation (the original project's {@code gpus/gpuStatusMapKey},
     * holding its whole map) are skipped and left alone: they are not this service's to read or delete.
     */
    public Map<String, String> gpuAllocations() {
        Map<String, String> result = new LinkedHashMap<>();
        for (KeyValue kv : store.list(keys.gpus())) {
            String uuid = Keys.lastSegment(kv.key());
            if (isAllocation(kv, !uuid.isEmpty() && !uuid.equals(ORIGINAL_GPU_MAP_KEY))) {
                result.put(uuid, kv.value());
            }
        }
        return result;
    }

    /** Host port to holder; keys that are not a port (the original's {@code ports/usedPortSetKey}) are skipped as above. */
    public Map<Integer, String> portAllocations() {
        Map<Integer, String> result = new LinkedHashMap<>();
        for (KeyValue kv : store.list(keys.ports())) {
            Integer port = portOf(Keys.lastSegment(kv.key()));
            if (isAllocation(kv, port != null)) {
                result.put(port, kv.value());
            }
        }
        return result;
    }

    /** CPU core to holder; keys that are not a core number are skipped as above. */
    public Map<Integer, String> cpuAllocations() {
        Map<Integer, String> result = new LinkedHashMap<>();
        for (KeyValue kv : store.list(keys.cpus())) {
            String segment = Keys.lastSegment(kv.key());
            boolean core = segment.matches("\\d{1,5}");
            if (isAllocation(kv, core)) {
                result.put(Integer.parseInt(segment), kv.value());
            }
        }
        return result;
    }

    private static boolean isAllocation(KeyValue kv, boolean keyWellFormed) {
        if (keyWellFormed && NameSyntax.wellFormed(kv.value())) {
            return true;
        }
        log.warn("skipping {} under the allocation keys: not an allocation of this service (a key of the original project's layout?); it is left as it is", kv.key());
        return false;
    }

    private static Integer portOf(String segment) {
        if (!segment.matches("\\d{1,5}")) {
            return null;
        }
        int port = Integer.parseInt(segment);
        return port >= 1 && port <= 65535 ? port : null;
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

    /** Drops a CPU core's allocation key that no record accounts for. */
    public void dropCpuAllocation(int core, String holder) {
        store.commit(new Txn().requireValue(keys.cpu(core), holder).delete(keys.cpu(core)));
    }

    private void claim(Txn txn, String name, Set<String> alreadyHeldGpus, Set<Integer> alreadyHeldPorts, Set<Integer> alreadyHeldCpus,
                       ReplicaSetRecord after) {
        for (Integer core : after.cpus()) {
            if (!alreadyHeldCpus.contains(core)) {
                txn.requireAbsent(keys.cpu(core)).put(keys.cpu(core), name);
            }
        }
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
