package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Stored;
import io.gpudocker.store.Txn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each resource's keys, and the guarded transactions the repository builds from the holdings of a change. */
class AllocationKindTest {
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("img", 2, List.of(), List.of(), List.of("sleep", "1"), List.of("22"), null, null, null, true);
    private final Keys keys = new Keys("/t", "n1");
    private final Recording store = new Recording(new InMemoryKeyValueStore());
    private final Intents operations = ConfirmedIdentity.operations(store, keys);
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, keys, operations);

    @Test
    void eachKindNamesItsUnitsKeysAndParsesThemBack() {
        assertThat(AllocationKind.GPU.key(keys, "GPU-0")).isEqualTo("/t/apis/v1/gpus/GPU-0");
        assertThat(AllocationKind.PORT.key(keys, 40000)).isEqualTo("/t/apis/v1/ports/n1/40000");
        assertThat(AllocationKind.CPU.key(keys, 3)).isEqualTo("/t/apis/v1/cpus/n1/3");
        assertThat(AllocationKind.GPU.parse("GPU-0")).contains("GPU-0");
        assertThat(AllocationKind.GPU.parse("gpuStatusMapKey")).isEmpty();
        assertThat(AllocationKind.PORT.parse("40000")).contains(40000);
        assertThat(AllocationKind.PORT.parse("usedPortSetKey")).isEmpty();
        assertThat(AllocationKind.PORT.parse("0")).isEmpty();
        assertThat(AllocationKind.PORT.parse("70000")).isEmpty();
        assertThat(AllocationKind.CPU.parse("12")).contains(12);
        assertThat(AllocationKind.CPU.parse("x")).isEmpty();
    }

    @Test
    void aCreateRequiresEveryKeyItTakesToBeFreeAndTakesIt() {
        create(List.of("GPU-0"), Map.of("22", 40000), List.of(3));
        Txn txn = store.last();

        assertThat(absent(txn)).contains(gpu("GPU-0"), port(40000), cpu(3));
        assertThat(valueIs(txn)).isEmpty();
        assertThat(puts(txn)).contains(gpu("GPU-0"), port(40000), cpu(3));
        assertThat(store.snapshot()).containsEntry(gpu("GPU-0"), "foo").containsEntry(port(40000), "foo").containsEntry(cpu(3), "foo");
    }

    @Test
    void anUpdateTakesWhatIsNewlyHeldAndFreesWhatIsNoLongerHeldStillNamingTheHolder() {
        create(List.of("GPU-0", "GPU-1"), Map.of("22", 40000), List.of(0, 1));
        Stored<ReplicaSetRecord> before = repo.require("foo");
        ReplicaSetRecord after = new ReplicaSetRecord("foo", 2, ReplicaSetState.RUNNING, List.of("GPU-1", "GPU-2"), Map.of("22", 40000),
                Instant.now(), Instant.now(), "alice", List.of(1, 2), 0L, "n1");

        repo.update(before, after, version(2, after));
        Txn txn = store.last();

        assertThat(absent(txn)).contains(gpu("GPU-2"), cpu(2)).doesNotContain(gpu("GPU-1"), port(40000), cpu(1));
        assertThat(valueIs(txn)).containsExactlyInAnyOrder(Map.entry(gpu("GPU-0"), "foo"), Map.entry(cpu(0), "foo"));
        assertThat(deletes(txn)).contains(gpu("GPU-0"), cpu(0)).doesNotContain(gpu("GPU-1"), port(40000), cpu(1));
        assertThat(store.snapshot()).containsEntry(gpu("GPU-1"), "foo").containsEntry(gpu("GPU-2"), "foo").containsEntry(cpu(2), "foo")
                .doesNotContainKeys(gpu("GPU-0"), cpu(0));
    }

    @Test
    void aMoveFreesTheSourcesKeysTakesTheTargetsAndCommitsOnlyWhileBothIntentsStand() {
        create(List.of("GPU-0"), Map.of("22", 40000), List.of(3));
        Keys there = keys.forNode("n2");
        Intent arriving = ConfirmedIdentity.operations(store, there).begin(Intent.start(Intent.REPLICASET, Intent.MOVE_IN, "foo", 2));
        ReplicaSetRecord after = new ReplicaSetRecord("foo", 2, ReplicaSetState.RUNNING, List.of("GPU-9"), Map.of("22", 40000),
                Instant.now(), Instant.now(), "alice", List.of(3), 0L, "n2");
        Map<String, String> required = Map.of(there.operation(arriving.id()), io.gpudocker.store.Json.write(arriving));

        Map<String, String> stale = Map.of(there.operation(arriving.id()), "not as written");
        assertThat(repo.move(repo.require("foo"), after, version(2, after), there, stale, Txn::new)).as("an intent given up refuses the commit").isFalse();
        assertThat(store.snapshot()).containsEntry(port(40000), "foo").doesNotContainKey(there.port(40000));

        assertThat(repo.move(repo.require("foo"), after, version(2, after), there, required, Txn::new)).isTrue();
        assertThat(store.snapshot())
                .doesNotContainKeys(gpu("GPU-0"), port(40000), cpu(3), there.operation(arriving.id()))
                .containsEntry(gpu("GPU-9"), "foo").containsEntry(there.port(40000), "foo").containsEntry(there.cpu(3), "foo");
        assertThat(repo.require("foo").record().node()).isEqualTo("n2");
        assertThat(repo.version("foo", 2)).isPresent();
    }

    @Test
    void aDeleteFreesEverythingUnderTheRecordsOwnGuard() {
        create(List.of("GPU-0"), Map.of("22", 40000), List.of(3));

        repo.delete(repo.require("foo"), Intent.deleting(Intent.REPLICASET, "foo", 1, List.of("id-1")));
        Txn txn = store.last();

        assertThat(deletes(txn)).contains(gpu("GPU-0"), port(40000), cpu(3));
        assertThat(valueIs(txn)).isEmpty();
        assertThat(store.snapshot()).doesNotContainKeys(gpu("GPU-0"), port(40000), cpu(3));
    }

    @Test
    void aTakenKeyRefusesTheCreate() {
        store.commit(new Txn().put(gpu("GPU-0"), "bar"));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> create(List.of("GPU-0"), Map.of(), List.of()))
                .hasMessageContaining("already exists");
        assertThat(store.snapshot()).containsEntry(gpu("GPU-0"), "bar");
    }

    @Test
    void theListingsSkipKeysThatAreNotAllocationsAndADropOnlyFreesWhatStillNamesTheHolder() {
        store.commit(new Txn().put(gpu("GPU-0"), "foo").put(gpu("gpuStatusMapKey"), "{\"GPU-0\":\"x\"}")
                .put(port(40000), "foo").put(keys.ports() + "usedPortSetKey", "[1]").put(cpu(2), "bar").put(keys.cpus() + "x", "bar"));

        assertThat(repo.allocations(AllocationKind.GPU)).containsExactly(Map.entry("GPU-0", "foo"));
        assertThat(repo.allocations(AllocationKind.PORT)).containsExactly(Map.entry(40000, "foo"));
        assertThat(repo.allocations(AllocationKind.CPU)).containsExactly(Map.entry(2, "bar"));

        repo.dropAllocation(AllocationKind.CPU, 2, "foo");
        assertThat(valueIs(store.last())).containsExactly(Map.entry(cpu(2), "foo"));
        assertThat(store.snapshot()).containsEntry(cpu(2), "bar");
        repo.dropAllocation(AllocationKind.PORT, 40000, "foo");
        assertThat(store.snapshot()).doesNotContainKey(port(40000)).containsKey(keys.ports() + "usedPortSetKey");
    }

    private void create(List<String> gpus, Map<String, Integer> ports, List<Integer> cores) {
        ReplicaSetRecord record = new ReplicaSetRecord("foo", 1, ReplicaSetState.RUNNING, gpus, ports, Instant.now(), Instant.now(), "alice", cores, 0L, "n1");
        repo.create(record, version(1, record), operations.begin(Intent.start(Intent.REPLICASET, "create", "foo", 1)));
    }

    private static ReplicaSetVersion version(long v, ReplicaSetRecord r) {
        return new ReplicaSetVersion("foo", v, "foo-" + v, Instant.now(), "test", SPEC, r.gpus(), r.ports(), r.cpus(), r.memory(), 0L);
    }

    private String gpu(String uuid) { return keys.gpu(uuid); }

    private String port(int port) { return keys.port(port); }

    private String cpu(int core) { return keys.cpu(core); }

    private static List<String> absent(Txn txn) {
        return txn.guards().stream().filter(g -> g instanceof Txn.Absent).map(g -> ((Txn.Absent) g).key()).toList();
    }

    private static List<Map.Entry<String, String>> valueIs(Txn txn) {
        return txn.guards().stream().filter(g -> g instanceof Txn.ValueIs).map(g -> (Txn.ValueIs) g)
                .filter(g -> !g.key().endsWith("/cluster")).map(g -> Map.entry(g.key(), g.value())).toList();
    }

    private static List<String> puts(Txn txn) {
        return txn.ops().stream().filter(o -> o instanceof Txn.Put).map(o -> ((Txn.Put) o).key()).toList();
    }

    private static List<String> deletes(Txn txn) {
        return txn.ops().stream().filter(o -> o instanceof Txn.Delete).map(o -> ((Txn.Delete) o).key()).toList();
    }

    /** The store stand-in, keeping each transaction it is given. */
    private static final class Recording implements KeyValueStore {
        private final InMemoryKeyValueStore inner;
        private final List<Txn> txns = new ArrayList<>();

        Recording(InMemoryKeyValueStore inner) { this.inner = inner; }

        Txn last() { return txns.get(txns.size() - 1); }

        Map<String, String> snapshot() { return inner.snapshot(); }

        @Override public Optional<KeyValue> get(String key) { return inner.get(key); }

        @Override public List<KeyValue> list(String prefix) { return inner.list(prefix); }

        @Override public io.gpudocker.store.Listing listAt(String prefix) { return inner.listAt(prefix); }

        @Override public io.gpudocker.store.Watching watch(String prefix, long fromRevision, io.gpudocker.store.ChangeListener listener) {
            return inner.watch(prefix, fromRevision, listener);
        }

        @Override public boolean commit(Txn txn) {
            txns.add(txn);
            return inner.commit(txn);
        }

        @Override public void ping() { inner.ping(); }

        @Override public long grantLease(Duration ttl) { return inner.grantLease(ttl); }

        @Override public boolean renewLease(long lease) { return inner.renewLease(lease); }

        @Override public void revokeLease(long lease) { inner.revokeLease(lease); }
    }
}
