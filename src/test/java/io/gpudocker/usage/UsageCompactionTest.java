package io.gpudocker.usage;

import io.gpudocker.common.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Compacted usage answers every window as the raw intervals did: inside one month, across months and a new year, on
 * month boundaries exactly; a compaction that dies at any step of its work, and sums kept by the layout before
 * running totals (read as they are, then moved), change no answer.
 */
class UsageCompactionTest {
    private static final Instant NOW = Instant.parse("2026-09-10T12:00:00Z");
    private static final List<UsageQuery> QUERIES = List.of(
            q(null, "2026-01-05", "2026-01-20"),
            q(null, "2026-05-02", "2026-05-30"),
            q(null, "2025-12-25", "2026-02-02"),
            q(null, "2026-03-15", "2026-06-20"),
            q(null, "2026-01-01", "2026-01-31"),
            q(null, "2026-03-01", "2026-04-30"),
            q(null, "2026-04-01", "2026-04-01"),
            q(null, "2026-03-31", "2026-03-31"),
            q(null, "2025-12-01", "2026-05-31"),
            q(null, "2025-01-01", "2026-12-31"),
            q(null, "2025-09-11", "2026-09-10"),
            q(null, "2025-12-31", "2026-01-01"),
            q(null, "2026-07-02", "2026-08-30"),
            q("bob", "2026-05-10", "2026-06-30"),
            q("alice", "2025-12-21", "2026-09-10"),
            new UsageQuery(null, LocalDate.parse("2025-12-01"), LocalDate.parse("2026-09-10"), UsageQuery.By.DAY),
            new UsageQuery("bob", LocalDate.parse("2026-05-31"), LocalDate.parse("2026-06-16"), UsageQuery.By.DAY));

    private final UsageKeys keys = new UsageKeys(new Keys("/gpu-docker-api").usage());
    private final TestClock clock = new TestClock(NOW);

    @Test
    void everyWindowIsAnsweredFromRunningTotalsAsFromTheIntervals() {
        InMemoryKeyValueStore store = scenario();
        List<UsageReport> raw = answers(store);

        int folded = compactUntilDone(store);

        assertThat(folded).as("the long interval in parts of 28 days, and the rest").isGreaterThan(6);
        assertThat(store.list(keys.intervals())).as("only today's").hasSize(1);
        assertThat(store.list(keys.runningDays())).isNotEmpty();
        assertThat(store.list(keys.runningMonths())).extracting(kv -> kv.key().substring(keys.runningMonths().length(), keys.runningMonths().length() + 4))
                .as("a year's running totals in each year").contains("2025", "2026");
        assertSameAnswers(answers(store), raw);
        assertThat(raw.get(12).rows()).as("a window nobody used").isEmpty();
        assertThat(raw.get(4).rows()).as("January: alice's a only").singleElement()
                .satisfies(r -> assertThat(r.usage().gpuSecondsTotal()).isEqualTo(31 * 86_400.0));
    }

    @Test
    void aCompactionThatDiesAtAnyStepNeitherCountsTwiceNorLoses() {
        InMemoryKeyValueStore reference = scenario();
        List<UsageReport> raw = answers(reference);
        CrashingStore counting = new CrashingStore(reference, Integer.MAX_VALUE, false);
        compactUntilDone(counting);
        int commits = counting.commits;
        assertThat(commits).isGreaterThan(6);

        for (int crashAt = 1; crashAt <= commits; crashAt++) {
            for (boolean applied : new boolean[] {false, true}) {
                InMemoryKeyValueStore store = scenario();
                CrashingStore dying = new CrashingStore(store, crashAt, applied);
                assertThatThrownBy(() -> compactUntilDone(dying)).isInstanceOf(Crash.class);

                assertSameAnswers(answers(store), raw);
                compactUntilDone(store);
                assertSameAnswers(answers(store), raw);
                assertThat(store.list(keys.intervals())).as("crash at commit %d (%s)", crashAt, applied).hasSize(1);
            }
        }
    }

    @Test
    void sumsOfTheLayoutBeforeRunningTotalsAreReadThenMovedAllOrNothingPerInstanceAndMonth() {
        InMemoryKeyValueStore reference = scenario();
        List<UsageReport> raw = answers(reference);
        InMemoryKeyValueStore store = legacyScenario();
        assertThat(store.list(keys.legacyDays())).isNotEmpty();
        assertSameAnswers(answers(store), raw);

        CrashingStore counting = new CrashingStore(legacyScenario(), Integer.MAX_VALUE, false);
        compactUntilDone(counting);
        for (int crashAt = 1; crashAt <= counting.commits; crashAt++) {
            InMemoryKeyValueStore crashed = legacyScenario();
            CrashingStore dying = new CrashingStore(crashed, crashAt, crashAt % 2 == 0);
            assertThatThrownBy(() -> compactUntilDone(dying)).isInstanceOf(Crash.class);
            assertSameAnswers(answers(crashed), raw);
        }

        compactUntilDone(store);

        assertThat(store.list(keys.legacyDays())).isEmpty();
        assertThat(store.list(keys.legacyMonths())).isEmpty();
        assertThat(store.list(keys.runningMonths())).isNotEmpty();
        assertSameAnswers(answers(store), raw);
    }

    /** Alice's a across a new year and past 28 days, a second part of it, b across a month's end; bob's c a whole month and a half; alice's d open. */
    private InMemoryKeyValueStore scenario() {
        InMemoryKeyValueStore store = new InMemoryKeyValueStore();
        closed(store, held("alice", "a", 1), "2025-12-20T05:00:00Z", "2026-02-03T07:30:00Z");
        closed(store, held("alice", "a", 2), "2026-02-03T07:30:00Z", "2026-02-03T09:00:00Z");
        closed(store, held("alice", "b", 3), "2026-03-31T22:00:00Z", "2026-04-01T02:00:00Z");
        closed(store, held("bob", "c", 1), "2026-05-01T00:00:00Z", "2026-05-31T23:59:59.250Z");
        closed(store, held("bob", "c", 4), "2026-06-15T10:00:00Z", "2026-07-01T00:00:00Z");
        closed(store, held("alice", "a", 1), "2026-09-10T00:00:00Z", "2026-09-10T01:00:00Z");
        store.commit(new Txn().put(keys.open(Held.REPLICASET, "d"), Json.write(new OpenInterval(held("alice", "d", 1), Instant.parse("2026-08-31T20:00:00Z")))));
        return store;
    }

    /** The same usage as the layout before running totals left it: daily and monthly sums per instance, the intervals archived. */
    private InMemoryKeyValueStore legacyScenario() {
        InMemoryKeyValueStore store = scenario();
        LocalDate today = UsageInterval.day(NOW);
        for (KeyValue kv : store.range(keys.intervals(), keys.intervals(), keys.intervalsOf(today))) {
            UsageInterval iv = Json.read(kv.value(), UsageInterval.class);
            Held h = iv.held();
            Txn txn = new Txn().delete(kv.key()).put(keys.archived(kv.key()), kv.value());
            Map<String, Amounts> sums = new java.util.LinkedHashMap<>();
            iv.perDay(iv.start(), iv.end(), iv.end()).forEach((day, a) -> {
                sums.merge(keys.legacyDay(day, h.tenant(), h.kind(), h.instance()), a, Amounts::plus);
                sums.merge(keys.legacyMonth(YearMonth.from(day), h.tenant(), h.kind(), h.instance()), a, Amounts::plus);
                sums.merge(keys.tenantDay(day, h.tenant()), a, Amounts::plus);
                sums.merge(keys.tenantTotal(h.tenant()), a, Amounts::plus);
            });
            sums.forEach((key, a) -> txn.put(key, store.get(key).map(c -> Amounts.decode(c.value()).plus(a)).orElse(a).encode()));
            store.commit(txn);
        }
        return store;
    }

    private int compactUntilDone(KeyValueStore store) {
        int folded = 0;
        for (int pass = 0; pass < 6; pass++) {
            folded += new UsageCompactor(store, keys, clock, Duration.ofDays(400)).compact();
        }
        return folded;
    }

    private List<UsageReport> answers(KeyValueStore store) {
        UsageLedger ledger = new UsageLedger(store, keys, clock);
        return QUERIES.stream().map(ledger::report).toList();
    }

    private static void assertSameAnswers(List<UsageReport> got, List<UsageReport> want) {
        for (int i = 0; i < want.size(); i++) {
            UsageReport g = got.get(i);
            UsageReport w = want.get(i);
            assertThat(g.rows()).as("rows of %s", QUERIES.get(i)).hasSameSizeAs(w.rows());
            for (int r = 0; r < w.rows().size(); r++) {
                assertThat(g.rows().get(r).instance()).isEqualTo(w.rows().get(r).instance());
                assertThat(g.rows().get(r).day()).isEqualTo(w.rows().get(r).day());
                assertSame(g.rows().get(r).usage(), w.rows().get(r).usage());
            }
            assertSame(g.total(), w.total());
        }
    }

    private static void assertSame(Amounts a, Amounts b) {
        assertThat(a.gpuSeconds().keySet()).isEqualTo(b.gpuSeconds().keySet());
        a.gpuSeconds().forEach((m, s) -> assertThat(s).isCloseTo(b.gpuSeconds().get(m), within(1e-6)));
        assertThat(a.coreSeconds()).isCloseTo(b.coreSeconds(), within(1e-6));
        assertThat(a.memoryGiBSeconds()).isCloseTo(b.memoryGiBSeconds(), within(1e-6));
        assertThat(a.instanceSeconds()).isCloseTo(b.instanceSeconds(), within(1e-6));
    }

    private static UsageQuery q(String tenant, String from, String to) {
        return new UsageQuery(tenant, LocalDate.parse(from), LocalDate.parse(to), UsageQuery.By.INSTANCE);
    }

    private static Held held(String tenant, String instance, int gpus) {
        return new Held(Held.REPLICASET, tenant, instance, "RUNNING", Map.of("H200", gpus), 2, 1L << 30, 0);
    }

    private void closed(KeyValueStore store, Held h, String start, String end) {
        Instant s = Instant.parse(start);
        Instant e = Instant.parse(end);
        store.commit(new Txn().put(keys.interval(h.tenant(), h.kind(), h.instance(), s, e), Json.write(new UsageInterval(h, s, e))));
    }

    /** The process dying: not an error the compaction handles, so nothing after it runs. */
    private static final class Crash extends Error {
        Crash() { super("the node died"); }
    }

    /** Dies at its {@code crashAt}-th commit, before that commit is applied or just after. */
    private static final class CrashingStore implements KeyValueStore {
        private final KeyValueStore store;
        private final int crashAt;
        private final boolean applied;
        int commits;

        CrashingStore(KeyValueStore store, int crashAt, boolean applied) {
            this.store = store;
            this.crashAt = crashAt;
            this.applied = applied;
        }

        @Override public Optional<KeyValue> get(String key) { return store.get(key); }
        @Override public List<KeyValue> list(String prefix) { return store.list(prefix); }

        @Override public io.gpudocker.store.Listing listAt(String prefix) { return store.listAt(prefix); }

        @Override public io.gpudocker.store.Watching watch(String prefix, long fromRevision, io.gpudocker.store.ChangeListener listener) {
            return store.watch(prefix, fromRevision, listener);
        }
        @Override public List<KeyValue> range(String prefix, String fromKey, String toKey) { return store.range(prefix, fromKey, toKey); }
        @Override public void ping() { store.ping(); }
        @Override public long grantLease(Duration ttl) { return store.grantLease(ttl); }
        @Override public boolean renewLease(long lease) { return store.renewLease(lease); }
        @Override public void revokeLease(long lease) { store.revokeLease(lease); }

        @Override
        public boolean commit(Txn txn) {
            if (++commits == crashAt) {
                if (applied) {
                    store.commit(txn);
                }
                throw new Crash();
            }
            return store.commit(txn);
        }
    }
}
