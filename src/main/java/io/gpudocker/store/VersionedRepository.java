package io.gpudocker.store;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.Owned;
import io.gpudocker.common.NameLocks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records of one kind of versioned object and their versions. Reads are one round trip each; every write
 * starts from a transaction that already carries the guard on the record, so two writers can never both win.
 *
 * @param <R> the current record of an object
 * @param <V> one version of it
 */
public abstract class VersionedRepository<R extends Owned, V extends Versioned> {
    private static final Logger log = LoggerFactory.getLogger(VersionedRepository.class);
    /** How often a commit is built again because a hook's key moved; far above what a burst of one tenant's calls needs. */
    static final int MAX_CONTENDED_ATTEMPTS = 50;
    protected final KeyValueStore store;
    protected final RecordLayout layout;
    private final String kind;
    private final String localNode;
    private final Class<R> recordType;
    private final Class<V> versionType;
    private final ConfirmedCommit commits;
    /**
     * The keys hooks guard as contended (a tenant's counts), taken by this process's writers one at a time: a burst
     * of one tenant's calls queues here for one read and one commit each, instead of racing in etcd where all but one
     * of every round fail, read again and retry. Shared by every repository of the process (volumes and replicasets
     * move the same counts); writers on other nodes still race, and the retry below settles that.
     */
    private static final NameLocks CONTENDED_KEYS = new NameLocks(Duration.ofMinutes(2));
    /** Run on every transaction that creates, restores, advances or forgets a record (see {@link RecordChangeHook}). */
    private final List<RecordChangeHook<? super R>> hooks = new CopyOnWriteArrayList<>();
    /** Keys already reported as not being records: each is reported once, not on every pass of the janitor. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /**
     * @param kind      what the records are, as a user calls them (e.g. "replicaset")
     * @param localNode the node this process is: its records are the ones it reconciles and acts on
     */
    protected VersionedRepository(String kind, KeyValueStore store, RecordLayout layout, Class<R> recordType, Class<V> versionType,
                                  String localNode) {
        this.kind = kind;
        this.localNode = localNode;
        this.store = store;
        this.layout = layout;
        this.recordType = recordType;
        this.versionType = versionType;
        this.commits = new ConfirmedCommit(store);
    }

    /** Every later change of a record carries {@code hook}'s guards and operations in its own transaction. */
    public void addChangeHook(RecordChangeHook<? super R> hook) {
        hooks.add(hook);
    }

    private Txn hooked(Txn txn, R before, R after) {
        return hooked(txn, before, after, null);
    }

    private Txn hooked(Txn txn, R before, R after, V newVersion) {
        int own = txn.guards().size();
        hooks.forEach(h -> h.contribute(txn, before, after, newVersion));
        return txn.contendedFrom(own);
    }

    /** The refusal for a name that has no record. */
    protected abstract ApiException notFound(String name);

    /** The node this process is. */
    public String localNode() { return localNode; }

    /** Whether the record's object lives on this node (else another node acts on it). */
    public boolean isLocal(R record) { return localNode.equals(record.node()); }

    /** Every record of this node's objects: what its reconcile, janitor and metrics look after. */
    public List<R> local() {
        return list().stream().filter(this::isLocal).toList();
    }

    /**
     * The record of {@code name}. A value under its key that is not one of this service's records (the original
     * project keeps its volumes at the same keys) is refused with 1047 rather than read as one.
     */
    public Optional<Stored<R>> find(String name) {
        return store.get(layout.record(name)).map(this::stored);
    }

    /** A record as read from its key (refused with 1047 as {@link #find} does when it is not one of this service's). */
    protected Stored<R> stored(KeyValue kv) {
        return new Stored<>(parse(kv), kv.modRevision());
    }

    protected V versionOf(KeyValue kv) {
        return Json.read(kv.value(), versionType);
    }

    /** As {@link #find}, but a value that is not one of this service's records reads as no record (routing, not answering). */
    public Optional<Stored<R>> findQuietly(String name) {
        try {
            return find(name);
        } catch (ApiException e) {
            if (e.code() == ErrorCode.NOT_IMPORTED) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private R parse(KeyValue kv) {
        try {
            return Json.read(kv.value(), recordType);
        } catch (RuntimeException e) {
            throw ApiException.of(ErrorCode.NOT_IMPORTED, "%s '%s': etcd key %s holds a value that is not a record of this service "
                    + "(one of the original project's, not yet imported?); start the service once with --import-original to adopt it, "
                    + "or remove the key", kind, Keys.lastSegment(kv.key()), kv.key());
        }
    }

    public Stored<R> require(String name) {
        return find(name).orElseThrow(() -> notFound(name));
    }

    /**
     * The record of an object this node acts on, if {@code caller} may see it. Another tenant's object is refused
     * exactly like a missing one, so a name reveals nothing about who else uses it. An object another node holds is
     * refused (1094) whatever routing did: a call that reaches the wrong node (a replayed forward, a direct call on a
     * node's own port) must not act on records whose container or volume this node's Docker engine does not hold.
     * A record that names no node (written before nodes, not yet claimed) is acted on as before.
     */
    public Stored<R> require(String name, Caller caller) {
        return requireHere(name, find(name), caller);
    }

    /** The refusals of {@link #require(String, Caller)}, on a record already read ({@code found}). */
    protected Stored<R> requireHere(String name, Optional<Stored<R>> found, Caller caller) {
        Stored<R> stored = found.filter(s -> caller.maySee(s.record().tenant())).orElseThrow(() -> notFound(name));
        String node = stored.record().node();
        if (node != null && !node.equals(localNode)) {
            throw ApiException.of(ErrorCode.NOT_THIS_NODE, "%s '%s' is on node '%s', not on this node ('%s'); nothing was done here "
                    + "(call it through the API without a node's own signature, and it is routed there)", kind, name, node, localNode);
        }
        return stored;
    }

    /** As {@link #require(String, Caller)} on any node: for what etcd alone answers (a history), never for Docker. */
    public Stored<R> requireVisible(String name, Caller caller) {
        return find(name).filter(s -> caller.maySee(s.record().tenant())).orElseThrow(() -> notFound(name));
    }

    /** Every record {@code caller} may see. */
    public List<R> list(Caller caller) {
        return list().stream().filter(r -> caller.maySee(r.tenant())).toList();
    }

    /** Every record; a value that is not one (a key of the original project's layout, say) is skipped and logged. */
    public List<R> list() {
        List<R> records = new ArrayList<>();
        for (KeyValue kv : store.list(layout.records())) {
            try {
                records.add(Json.read(kv.value(), recordType));
            } catch (RuntimeException e) {
                if (reported.add(kv.key())) {
                    log.warn("skipping {}: not a {} record of this service ({}); it is left as it is", kv.key(), kind, e.getMessage());
                }
            }
        }
        return records;
    }

    /** What moves with any change of any record (see {@link PrefixStamp}), in one small read. */
    public PrefixStamp stamp() {
        return store.stamp(layout.records());
    }

    /** Every version, newest first, in one range read. */
    public List<V> history(String name) {
        return store.list(layout.versionsOf(name)).stream()
                .map(kv -> Json.read(kv.value(), versionType))
                .sorted(Comparator.comparingLong(Versioned::version).reversed())
                .toList();
    }

    /** The version numbers that still have a record, oldest first; keys only, one round trip. */
    public List<Long> recordedVersions(String name) {
        return store.keys(layout.versionsOf(name)).stream().map(k -> Long.parseLong(Keys.lastSegment(k))).sorted().toList();
    }

    /**
     * Forgets the records of the given versions, if the object's record is still as read (so a version an
     * update just made current is never among them). False when it changed meanwhile: nothing was deleted.
     */
    public boolean forgetVersions(Stored<R> current, String name, Collection<Long> versions) {
        Txn txn = new Txn().requireModRevision(layout.record(name), current.modRevision());
        versions.forEach(v -> txn.delete(layout.version(name, v)));
        return store.commit(txn);
    }

    public Optional<V> version(String name, long version) {
        return store.get(layout.version(name, version)).map(kv -> Json.read(kv.value(), versionType));
    }

    /** A new object: its record and its first version, if neither exists yet. */
    protected Txn creating(String name, R record, V first) {
        return hooked(new Txn().requireAbsent(layout.record(name))
                .requireAbsent(layout.version(name, first.version()))
                .put(layout.record(name), Json.write(record))
                .put(layout.version(name, first.version()), Json.write(first)), null, record);
    }

    /**
     * An object rebuilt from what Docker holds: its record and every version found, if etcd knows none of them.
     */
    protected Txn restoring(String name, R record, List<V> versions) {
        Txn txn = new Txn().requireAbsent(layout.record(name)).put(layout.record(name), Json.write(record));
        for (V v : versions) {
            txn.requireAbsent(layout.version(name, v.version())).put(layout.version(name, v.version()), Json.write(v));
        }
        return hooked(txn, null, record);
    }

    /** The record moves to {@code after} (adding {@code newVersion} if given), if no one changed it since it was read. */
    protected Txn advancing(String name, Stored<R> before, R after, V newVersion) {
        Txn txn = new Txn().requireModRevision(layout.record(name), before.modRevision())
                .put(layout.record(name), Json.write(after));
        if (newVersion != null) {
            txn.requireAbsent(layout.version(name, newVersion.version()))
                    .put(layout.version(name, newVersion.version()), Json.write(newVersion));
        }
        return hooked(txn, before.record(), after, newVersion);
    }

    /** The object is forgotten, record and every version, if no one changed it since it was read. */
    protected Txn forgetting(String name, Stored<R> before) {
        return hooked(new Txn().requireModRevision(layout.record(name), before.modRevision())
                .delete(layout.record(name))
                .deletePrefix(layout.versionsOf(name)), before.record(), null);
    }

    /**
     * Commits a transaction that puts or deletes the record of {@code name}; an unanswered commit is read back
     * (see {@link ConfirmedCommit}), so a write that landed counts as done. False when a guard did not hold.
     * For a transaction no hook added to: a hooked one goes through {@link #commit(Supplier, String, Object, Object)}.
     */
    protected boolean commit(Txn txn, String name) {
        return commits.commit(txn, layout.record(name));
    }

    /**
     * As {@link #commit(Txn, String)} for a transaction {@code build} makes (with its hooks' parts), which moves the
     * record from {@code before} (null: none) to {@code after} (null: forgotten). When it fails on a
     * guard a hook added (a tenant's counts another create of the same tenant moved, on this node or another) while
     * the rest may still hold, it is built again from a fresh read and retried, a bounded number of times; false only
     * when a guard of the record itself (or of what it takes) did not hold. A hook may refuse on the fresh read.
     */
    protected boolean commit(Supplier<Txn> build, String name, R before, R after) {
        Set<String> contended = new TreeSet<>();
        hooks.forEach(h -> contended.addAll(h.contendedKeys(before, after)));
        if (contended.isEmpty()) {
            return commitRetrying(build, name);
        }
        try (var held = CONTENDED_KEYS.lockAll(contended)) {
            return commitRetrying(build, name);
        }
    }

    private boolean commitRetrying(Supplier<Txn> build, String name) {
        for (int attempt = 1; ; attempt++) {
            Txn txn = build.get();
            if (commit(txn, name)) {
                return true;
            }
            if (txn.contended().stream().allMatch(this::holds)) {
                return false;
            }
            if (attempt == MAX_CONTENDED_ATTEMPTS) {
                throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "%s '%s': the counts its change moves (its tenant's) kept changing under "
                        + "%d attempts of other writers; nothing was changed, retry", kind, name, attempt);
            }
            log.debug("{} '{}': a hook's key moved under attempt {}; reading it again", kind, name, attempt);
            backOff(attempt);
        }
    }

    /** Commits a transaction guarded on the record; a lost race changes nothing and says so. */
    protected void commitGuarded(Supplier<Txn> build, String name, R before, R after) {
        if (!commit(build, name, before, after)) {
            throw ApiException.of(ErrorCode.CONCURRENT_MODIFICATION, "%s '%s' was changed by another writer during this call; nothing was changed, retry", kind, name);
        }
    }

    private boolean holds(Txn.Guard guard) {
        if (guard instanceof Txn.Absent a) {
            return store.get(a.key()).isEmpty();
        }
        if (guard instanceof Txn.ValueIs v) {
            return store.get(v.key()).map(KeyValue::value).filter(v.value()::equals).isPresent();
        }
        Txn.ModRevisionIs m = (Txn.ModRevisionIs) guard;
        return store.get(m.key()).map(KeyValue::modRevision).filter(r -> r == m.revision()).isPresent();
    }

    /** A short random pause, longer with each attempt, so writers that collided do not collide again in step. */
    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2L + Math.min(attempt, 10) * 5L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while retrying a commit", e);
        }
    }
}
