package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.quota.Quota;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Usage;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A replicaset's changes move its tenant's counts in their own transaction: creates of one tenant racing (two nodes
 * writing one etcd look the same here) never pass the quota together, and one that lost only the race on the counts
 * is read again and retried, not refused as "already exists".
 */
class ReplicaSetQuotaTest {
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("img", 1, List.of(), List.of(), List.of("sleep", "1"), List.of(), 1, 64L << 20, null, true);
    private final Keys keys = new Keys("/t", "n1");
    private final Interleaving store = new Interleaving(new InMemoryKeyValueStore());
    private final Intents operations = ConfirmedIdentity.operations(store, keys);
    private final QuotaLedger ledger = new QuotaLedger(store, keys, new Quota(4L, 3L, null, null, null, null, null, null, null));
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, keys, operations);
    private final ExecutorService pool = Executors.newFixedThreadPool(32);

    ReplicaSetQuotaTest() {
        repo.addChangeHook(new ReplicaSetQuotaHook(ledger));
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void thirtyTwoConcurrentCreatesOfOneTenantNeverPassTheQuotaTogether() throws Exception {
        ledger.set("alice", new Quota(4L, null, null, null, null, null, null, null, null));
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger created = new AtomicInteger();
        ConcurrentLinkedQueue<ErrorCode> refused = new ConcurrentLinkedQueue<>();
        List<java.util.concurrent.Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            int n = i;
            all.add(pool.submit(() -> {
                start.await();
                try {
                    create("rs" + n, "alice", List.of("GPU-" + n), List.of(n));
                    created.incrementAndGet();
                } catch (ApiException e) {
                    refused.add(e.code());
                }
                return null;
            }));
        }
        start.countDown();
        for (var f : all) {
            f.get(30, TimeUnit.SECONDS);
        }

        assertThat(created.get()).isEqualTo(4);
        assertThat(refused).hasSize(28).containsOnly(ErrorCode.QUOTA_EXCEEDED);
        assertThat(repo.list()).hasSize(4);
        assertThat(usage("alice")).isEqualTo(new Usage(4, 4, 0, 0, 4, 4 * (64L << 20)));
        assertThat(store.snapshot().keySet().stream().filter(k -> k.startsWith(keys.gpus()))).hasSize(4);
    }

    @Test
    void aBurstOfOneTenantsCreatesQueuesOnItsCountsInsteadOfRacingForThemInTheStore() throws Exception {
        ledger.set("bob", new Quota(64L, 64L, null, null, null, null, null, null, null));
        int before = store.countedCommits().get();
        CountDownLatch start = new CountDownLatch(1);
        List<java.util.concurrent.Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            int n = i;
            all.add(pool.submit(() -> {
                start.await();
                create("rs" + n, "bob", List.of("GPU-" + n), List.of(n));
                return null;
            }));
        }
        start.countDown();
        for (var f : all) {
            f.get(30, TimeUnit.SECONDS);
        }

        assertThat(usage("bob").instances()).isEqualTo(32);
        // one commit per create: none failed on counts another create of this process moved, and was built again
        assertThat(store.countedCommits().get() - before).isEqualTo(32);
        assertThat(store.failedCountedCommits()).hasValue(0);
    }

    @Test
    void aCreateThatLostOnlyTheRaceOnItsTenantsCountsIsReadAgainAndLands() {
        store.beforeNextCountedCommit(() -> create("other", "alice", List.of("GPU-9"), List.of(9)));

        create("foo", "alice", List.of("GPU-0"), List.of(0));

        assertThat(repo.find("foo")).isPresent();
        assertThat(usage("alice").gpus()).isEqualTo(2);
        assertThat(usage("alice").instances()).isEqualTo(2);
    }

    @Test
    void aCreateThatTheOtherTakeLeftNoRoomForIsRefusedOnTheFreshCountsAndLeavesNothing() {
        ledger.set("alice", new Quota(1L, null, null, null, null, null, null, null, null));
        store.beforeNextCountedCommit(() -> create("other", "alice", List.of("GPU-9"), List.of(9)));

        assertThatThrownBy(() -> create("foo", "alice", List.of("GPU-0"), List.of(0)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED))
                .hasMessage("quota gpus of tenant alice: limit 1, in use 1, asked 1");
        assertThat(repo.find("foo")).isEmpty();
        assertThat(store.snapshot()).doesNotContainKeys(keys.gpu("GPU-0"), keys.cpu(0));
    }

    @Test
    void aNameTakenMeanwhileIsStillRefusedAsExisting() {
        create("foo", "alice", List.of("GPU-0"), List.of(0));

        assertThatThrownBy(() -> create("foo", "alice", List.of("GPU-1"), List.of(1)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REPLICASET_EXISTS));
        assertThat(usage("alice").gpus()).isEqualTo(1);
    }

    @Test
    void aStoppedInstanceFreesItsCountsAPausedOneKeepsThemAndStartingAgainIsATake() {
        create("a", "alice", List.of("GPU-0"), List.of(0));
        create("b", "alice", List.of("GPU-1"), List.of(1));
        create("c", "alice", List.of("GPU-2"), List.of(2));
        assertThatThrownBy(() -> create("d", "alice", List.of("GPU-3"), List.of(3))).hasMessage("quota instances of tenant alice: limit 3, in use 3, asked 1");

        var a = repo.require("a");
        repo.update(a, a.record().inState(ReplicaSetState.PAUSED), null);
        assertThat(usage("alice").instances()).isEqualTo(3);
        a = repo.require("a");
        repo.update(a, a.record().stopped(), null);
        assertThat(usage("alice")).isEqualTo(new Usage(2, 2, 0, 0, 2, 2 * (64L << 20)));

        create("d", "alice", List.of("GPU-3"), List.of(3));
        var stopped = repo.require("a");
        ReplicaSetRecord started = stopped.record().running(version(stopped.record().name(), 2, List.of("GPU-0"), List.of(0)));
        assertThatThrownBy(() -> repo.update(stopped, started, null)).hasMessageStartingWith("quota instances of tenant alice: limit 3, in use 3");

        repo.delete(repo.require("b"), Intent.deleting(Intent.REPLICASET, "b", 1, List.of()));
        repo.update(repo.require("a"), started, null);
        assertThat(usage("alice").instances()).isEqualTo(3);
    }

    @Test
    void aTenantsTakesCountOnlyAgainstItsOwnQuota() {
        ledger.set("alice", new Quota(1L, null, null, null, null, null, null, null, null));
        create("a", "alice", List.of("GPU-0"), List.of(0));

        create("b", "bob", List.of("GPU-1"), List.of(1));
        create("c", "bob", List.of("GPU-2"), List.of(2));

        assertThat(usage("alice").gpus()).isEqualTo(1);
        assertThat(usage("bob").gpus()).isEqualTo(2);
    }

    private void create(String name, String tenant, List<String> gpus, List<Integer> cores) {
        ReplicaSetRecord record = new ReplicaSetRecord(name, 1, ReplicaSetState.RUNNING, gpus, Map.of(), Instant.now(), Instant.now(), tenant, cores,
                64L << 20, "n1");
        repo.create(record, version(name, 1, gpus, cores), operations.begin(Intent.start(Intent.REPLICASET, "create", name, 1)));
    }

    private static ReplicaSetVersion version(String name, long v, List<String> gpus, List<Integer> cores) {
        return new ReplicaSetVersion(name, v, name + "-" + v, Instant.now(), "test", SPEC, gpus, Map.of(), cores, 64L << 20, 0L);
    }

    private Usage usage(String tenant) {
        return Json.read(store.get(keys.tenantUsage(tenant)).orElseThrow().value(), Usage.class);
    }

    /** The store stand-in, running another writer's change just before the next commit that moves a tenant's counts. */
    private final class Interleaving implements KeyValueStore {
        private final InMemoryKeyValueStore inner;
        private Runnable before;
        private final AtomicInteger counted = new AtomicInteger();
        private final AtomicInteger failedCounted = new AtomicInteger();

        Interleaving(InMemoryKeyValueStore inner) { this.inner = inner; }

        void beforeNextCountedCommit(Runnable change) { this.before = change; }

        Map<String, String> snapshot() { return inner.snapshot(); }

        AtomicInteger countedCommits() { return counted; }

        AtomicInteger failedCountedCommits() { return failedCounted; }

        @Override public Optional<KeyValue> get(String key) { return inner.get(key); }

        @Override public List<KeyValue> list(String prefix) { return inner.list(prefix); }

        @Override public io.gpudocker.store.Listing listAt(String prefix) { return inner.listAt(prefix); }

        @Override public io.gpudocker.store.Watching watch(String prefix, long fromRevision, io.gpudocker.store.ChangeListener listener) {
            return inner.watch(prefix, fromRevision, listener);
        }

        @Override public boolean commit(Txn txn) {
            boolean movesCounts = txn.ops().stream().anyMatch(o -> o instanceof Txn.Put p && p.key().startsWith(keys.root() + "tenants/"));
            Runnable change = before;
            if (change != null && movesCounts) {
                before = null;
                change.run();
            }
            boolean landed = inner.commit(txn);
            if (movesCounts) {
                counted.incrementAndGet();
                if (!landed) {
                    failedCounted.incrementAndGet();
                }
            }
            return landed;
        }

        @Override public void ping() { inner.ping(); }

        @Override public long grantLease(Duration ttl) { return inner.grantLease(ttl); }

        @Override public boolean renewLease(long lease) { return inner.renewLease(lease); }

        @Override public void revokeLease(long lease) { inner.revokeLease(lease); }
    }
}
