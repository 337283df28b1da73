package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.Owned;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.KeyChange;
import io.gpudocker.store.Keys;
import io.gpudocker.store.StoreUnavailableException;
import io.gpudocker.store.Txn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The owner view over a stand-in etcd whose watches the test drives: a read, then changes, resumes and re-reads. */
class OwnerViewTest {
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/p", "a");
    private final String sets = keys.replicaSets().records();
    private final List<Runnable> now = new ArrayList<>();
    private final List<Runnable> retries = new ArrayList<>();
    private final OwnerView view = new OwnerView(store, keys, (delay, work) -> (delay.isZero() ? now : retries).add(work), RETRY);

    @Test
    void readsEveryRecordThenKeepsUpWithTheWatchWithoutReadingEtcdPerLookup() {
        put("foo", "alice", "b");
        put("bar", "bob", "a");
        long read = store.revision();

        start();

        assertThat(store.open(sets)).singleElement().satisfies(w -> assertThat(w.fromRevision).isEqualTo(read + 1));
        assertThat(nodeOf("foo")).contains("b");
        put("foo", "alice", "c");
        put("baz", "alice", "b");
        store.commit(new Txn().delete(keys.replicaSets().record("bar")));
        store.commit(new Txn().put(keys.replicaSets().versionsOf("foo") + "0000000001", "{}").put(sets + "foo/deeper", "{\"node\":\"z\"}"));

        store.failReads(true); // every lookup below is answered from memory
        assertThat(nodeOf("foo")).contains("c");
        assertThat(nodeOf("baz")).contains("b");
        assertThat(view.find(Where.REPLICASET_OWNER, "bar")).isEmpty();
        assertThat(view.find(Where.REPLICASET_OWNER, "baz").map(Owned::tenant)).contains("alice");
    }

    @Test
    void untilTheFirstReadSucceedsLookupsReadEtcdAndTheReadIsRetried() {
        put("foo", "alice", "b");
        store.failReads(true);

        start();

        assertThat(view.ready()).isFalse();
        assertThatThrownBy(() -> view.find(Where.REPLICASET_OWNER, "foo")).isInstanceOf(StoreUnavailableException.class);
        assertThat(retries).hasSize(2);
        store.failReads(false);
        assertThat(nodeOf("foo")).contains("b"); // read from etcd
        runRetries();
        assertThat(view.ready()).isTrue();
        store.failReads(true);
        assertThat(nodeOf("foo")).contains("b");
    }

    @Test
    void aWatchThatEndsIsResumedAfterTheLastRevisionSeenAndTheEndedOneIsIgnored() {
        put("foo", "alice", "b");
        start();
        InMemoryKeyValueStore.Watched first = store.open(sets).get(0);
        put("foo", "alice", "c");
        long seen = store.revision();

        first.close(); // cut off: the next change does not arrive
        put("foo", "alice", "d");
        KeyChange missed = new KeyChange(keys.replicaSets().record("foo"), "{\"tenant\":\"alice\",\"node\":\"d\"}", store.revision());
        first.listener.broken(new IllegalStateException("connection reset"));

        assertThat(nodeOf("foo")).contains("c");
        assertThat(retries).hasSize(1);
        runRetries();
        InMemoryKeyValueStore.Watched resumed = store.open(sets).get(0);
        assertThat(resumed).isNotSameAs(first);
        assertThat(resumed.fromRevision).isEqualTo(seen + 1);
        resumed.listener.changed(List.of(missed)); // what etcd replays from that revision
        assertThat(nodeOf("foo")).contains("d");

        first.listener.changed(List.of(new KeyChange(keys.replicaSets().record("foo"), "{\"node\":\"old\"}", missed.revision() + 5)));
        first.listener.broken(new IllegalStateException("late"));
        assertThat(nodeOf("foo")).contains("d");
        assertThat(retries).isEmpty();
    }

    @Test
    void aCompactionPastWhatWasSeenReadsEverythingAgainAndWatchesFromThere() {
        put("foo", "alice", "b");
        put("bar", "alice", "b");
        start();
        InMemoryKeyValueStore.Watched first = store.open(sets).get(0);

        first.close(); // what follows is compacted away before the watch hears of it
        put("foo", "alice", "c");
        store.commit(new Txn().delete(keys.replicaSets().record("bar")));
        put("new", "alice", "e");
        first.listener.compacted(store.revision());
        runNow();

        InMemoryKeyValueStore.Watched relisted = store.open(sets).get(0);
        assertThat(relisted.fromRevision).isEqualTo(store.revision() + 1);
        store.failReads(true);
        assertThat(nodeOf("foo")).contains("c");
        assertThat(nodeOf("new")).contains("e");
        assertThat(view.find(Where.REPLICASET_OWNER, "bar")).isEmpty();
    }

    @Test
    void aRefreshCorrectsTheViewAndAnOlderChangeNeverOverwritesANewerOne() {
        put("data", "alice", "b");
        start();
        String volumes = keys.volumes().records();
        InMemoryKeyValueStore.Watched watch = store.open(volumes).get(0);
        long before = store.revision();
        watch.close();
        store.commit(new Txn().put(keys.volumes().record("data"), "{\"tenant\":\"alice\",\"node\":\"c\"}"));
        assertThat(view.find(Where.VOLUME_OWNER, "data")).isEmpty();

        assertThat(view.refresh(Where.VOLUME_OWNER, "data").map(Owned::node)).contains("c");
        watch.listener.changed(List.of(new KeyChange(keys.volumes().record("data"), "{\"node\":\"b\"}", before)));

        store.failReads(true);
        assertThat(view.find(Where.VOLUME_OWNER, "data").map(Owned::node)).contains("c");
    }

    @Test
    void aValueNotOfThisServiceNamesNoNodeAndStopEndsTheWatches() {
        store.commit(new Txn().put(sets + "orig", "not json"));
        start();

        assertThat(view.find(Where.REPLICASET_OWNER, "orig")).isEmpty();
        view.stop();
        assertThat(store.open(sets)).isEmpty();
        assertThat(store.open(keys.volumes().records())).isEmpty();
        assertThat(view.ready()).isFalse();
    }

    /**
     * The etcd client reports a change holding a lock of its own, the same lock closing the watch takes: a view that
     * closed its watch while holding its own lock, with a report waiting for that lock, would never stop.
     */
    @Test
    void stoppingWhileTheClientReportsAChangeDoesNotDeadlock() throws Exception {
        Object clientLock = new Object();
        List<io.gpudocker.store.ChangeListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
        InMemoryKeyValueStore client = new InMemoryKeyValueStore() {
            @Override
            public synchronized io.gpudocker.store.Watching watch(String prefix, long fromRevision, io.gpudocker.store.ChangeListener listener) {
                listeners.add(listener);
                return () -> {
                    synchronized (clientLock) {
                        // closing waits for a report in flight, as the client's close does
                    }
                };
            }
        };
        List<Runnable> soon = new ArrayList<>();
        OwnerView watched = new OwnerView(client, keys, (delay, work) -> soon.add(work), RETRY);
        watched.start();
        while (!soon.isEmpty()) {
            soon.remove(0).run();
        }
        assertThat(listeners).isNotEmpty();

        Thread stopper = new Thread(watched::stop, "stopper");
        synchronized (clientLock) {
            stopper.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (stopper.getState() != Thread.State.BLOCKED && stopper.isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            Thread reporter = new Thread(() -> listeners.forEach(l -> l.changed(List.of(
                    new KeyChange(keys.replicaSets().record("foo"), "{\"tenant\":\"alice\",\"node\":\"b\"}", 99)))), "reporter");
            reporter.start();
            reporter.join(Duration.ofSeconds(2).toMillis());
            assertThat(reporter.isAlive()).as("a report waits for the view while the view closes its watch").isFalse();
        }
        stopper.join(Duration.ofSeconds(5).toMillis());
        assertThat(stopper.isAlive()).as("the view stopped").isFalse();
    }

    private void start() {
        view.start();
        runNow();
    }

    private void runNow() {
        while (!now.isEmpty()) {
            now.remove(0).run();
        }
    }

    private void runRetries() {
        List<Runnable> due = new ArrayList<>(retries);
        retries.clear();
        due.forEach(Runnable::run);
        runNow();
    }

    private Optional<String> nodeOf(String name) {
        return view.find(Where.REPLICASET_OWNER, name).map(Owned::node);
    }

    private void put(String name, String tenant, String node) {
        store.commit(new Txn().put(keys.replicaSets().record(name), "{\"name\":\"" + name + "\",\"tenant\":\"" + tenant + "\",\"node\":\"" + node
                + "\",\"version\":1}"));
    }
}
