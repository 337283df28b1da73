package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.validation.NameSyntax;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Stored;
import io.gpudocker.store.Txn;
import io.gpudocker.store.VersionedRepository;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicaset records, their versions and the allocation keys of what they hold, in etcd. Each state change is
 * ONE transaction guarded by compare-and-swap on the record, carrying the allocation keys of every
 * {@link AllocationKind} it takes or frees.
 */
public class ReplicaSetRepository extends VersionedRepository<ReplicaSetRecord, ReplicaSetVersion> {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSetRepository.class);

    private final Keys keys;
    private final Intents operations;

    public ReplicaSetRepository(KeyValueStore store, Keys keys, Intents operations) {
        super("replicaset", store, keys.replicaSets(), ReplicaSetRecord.class, ReplicaSetVersion.class, keys.node());
        this.keys = keys;
        this.operations = operations;
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

    /** A record this node acts on, with its current version. */
    public record Current(Stored<ReplicaSetRecord> stored, ReplicaSetVersion version) {}

    /**
     * As {@link #require(String, Caller)} with {@link #current}, in one etcd round trip: the record and the newest
     * version kept, read together (the current version is the newest but for a record caught mid-way by an older
     * writer, which then has its own version read). Sent at once; {@code meanwhile} runs while it travels.
     */
    public Current requireCurrent(String name, Caller caller, Runnable meanwhile) {
        KeyValueStore.Pending<KeyValueStore.WithLast> sent = store.getWithLast(layout.record(name), layout.versionsOf(name));
        meanwhile.run();
        KeyValueStore.WithLast read = sent.await();
        Stored<ReplicaSetRecord> stored = requireHere(name, read.value().map(this::stored), caller);
        ReplicaSetRecord record = stored.record();
        String currentKey = layout.version(name, record.version());
        ReplicaSetVersion version = read.last().filter(kv -> kv.key().equals(currentKey)).map(this::versionOf)
                .orElseGet(() -> current(record));
        return new Current(stored, version);
    }

    /** Commits a create: record, version 1 and allocations, dropping the create's intent in the same transaction. */
    public void create(ReplicaSetRecord record, ReplicaSetVersion first, Intent op) {
        if (!commit(() -> transfer(operations.finish(creating(record.name(), record, first), op), record.name(), Holdings.NONE, record.holdings()),
                record.name(), null, record)) {
            throw ApiException.of(ErrorCode.REPLICASET_EXISTS, "replicaset '%s' already exists (or one of its GPUs/ports was taken by another writer)", record.name());
        }
    }

    /**
     * Commits the adoption of one of the original project's replicasets: record, its first version here and its
     * allocations, with the mark {@code markKey} (absent until now) that it was imported, dropping the intent.
     */
    public boolean adopt(ReplicaSetRecord record, ReplicaSetVersion first, Intent op, String markKey, String mark) {
        // what exists is adopted whatever the tenant's quota: it is counted, never refused
        return QuotaLedger.unenforced(() -> commit(() -> transfer(operations.finish(creating(record.name(), record, first), op)
                .requireAbsent(markKey).put(markKey, mark), record.name(), Holdings.NONE, record.holdings()), record.name(), null, record));
    }

    /** Moves {@code before} to {@code after}, adding {@code newVersion} if given; allocations follow the difference. */
    public void update(Stored<ReplicaSetRecord> before, ReplicaSetRecord after, ReplicaSetVersion newVersion) {
        update(before, after, newVersion, null);
    }

    /**
     * Moves {@code before} to {@code after}, adding {@code newVersion} if given and dropping the intent of the
     * operation that made it; allocations follow the difference.
     */
    public void update(Stored<ReplicaSetRecord> before, ReplicaSetRecord after, ReplicaSetVersion newVersion, Intent op) {
        ReplicaSetRecord old = before.record();
        commitGuarded(() -> transfer(operations.finish(advancing(old.name(), before, after, newVersion), op), old.name(), old.holdings(), after.holdings()),
                old.name(), old, after);
    }

    /**
     * Commits a move to another node in one transaction: the record (guarded by its revision) now names that node and
     * {@code newVersion}; what it held here is released under this node's keys and what it holds there taken under
     * {@code to}'s; each intent of {@code intents} (key to the value it was written with) must still be there and is
     * dropped; {@code extra} adds the parts of other records (its volumes). False when a guard did not hold: nothing changed.
     */
    public boolean move(Stored<ReplicaSetRecord> before, ReplicaSetRecord after, ReplicaSetVersion newVersion, Keys to,
                        Map<String, String> intents, java.util.function.Supplier<Txn> extra) {
        ReplicaSetRecord old = before.record();
        return commit(() -> {
            Txn txn = advancing(old.name(), before, after, newVersion);
            AllocationKind.ALL.forEach(kind -> {
                kind.transfer(txn, keys, old.name(), old.holdings(), Holdings.NONE);
                kind.transfer(txn, to, old.name(), Holdings.NONE, after.holdings());
            });
            intents.forEach((key, value) -> txn.requireValue(key, value).delete(key));
            return txn.and(extra.get());
        }, old.name(), old, after);
    }

    /**
     * Forgets the replicaset: record, every version and its allocations, in one transaction that also writes
     * the delete's intent, so the containers it lists may be removed even if this process dies first.
     */
    public void delete(Stored<ReplicaSetRecord> before, Intent intent) {
        ReplicaSetRecord old = before.record();
        commitGuarded(() -> {
            Txn txn = operations.record(forgetting(old.name(), before), intent);
            AllocationKind.ALL.forEach(kind -> kind.forget(txn, keys, old.holdings()));
            return txn;
        }, old.name(), old, null);
    }

    /**
     * Writes a replicaset rebuilt from what Docker holds, with the allocations its record holds; false if
     * etcd already knows it or one of its holdings is held by another record.
     */
    public boolean restore(ReplicaSetRecord record, List<ReplicaSetVersion> versions) {
        // what Docker holds is restored whatever the tenant's quota: it is counted, never refused
        return QuotaLedger.unenforced(() -> commit(() -> transfer(restoring(record.name(), record, versions), record.name(), Holdings.NONE, record.holdings()),
                record.name(), null, record));
    }

    /**
     * Unit of {@code kind} to holder. Keys that are not an allocation (the original project's
     * {@code gpus/gpuStatusMapKey} holding its whole map, its {@code ports/usedPortSetKey}) are skipped and left
     * alone: they are not this service's to read or delete.
     */
    public <K> Map<K, String> allocations(AllocationKind<K> kind) {
        Map<K, String> result = new LinkedHashMap<>();
        for (KeyValue kv : store.list(kind.prefix(keys))) {
            Optional<K> unit = kind.parse(Keys.lastSegment(kv.key()));
            if (unit.isPresent() && NameSyntax.wellFormed(kv.value())) {
                result.put(unit.get(), kv.value());
            } else {
                log.warn("skipping {} under the allocation keys: not an allocation of this service (a key of the original project's layout?); it is left as it is", kv.key());
            }
        }
        return result;
    }

    /** Drops an allocation key that no record accounts for (left by a writer that died between steps), if it still names {@code holder}. */
    public <K> void dropAllocation(AllocationKind<K> kind, K unit, String holder) {
        Txn txn = new Txn();
        kind.drop(txn, keys, unit, holder);
        store.commit(txn);
    }

    private Txn transfer(Txn txn, String name, Holdings before, Holdings after) {
        AllocationKind.ALL.forEach(kind -> kind.transfer(txn, keys, name, before, after));
        return txn;
    }
}
