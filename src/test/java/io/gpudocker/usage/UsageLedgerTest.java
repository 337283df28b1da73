package io.gpudocker.usage;

import io.gpudocker.common.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Queries add intervals up by instance and by day, and answer the same once old intervals are compacted into sums. */
class UsageLedgerTest {
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final UsageKeys keys = new UsageKeys(new Keys("/gpu-docker-api").usage());
    private final TestClock clock = new TestClock(Instant.parse("2026-06-15T12:00:00Z"));
    private final UsageLedger ledger = new UsageLedger(store, keys, clock);

    @Test
    void reportsByInstanceAndByDayAndCountTheOpenIntervalUpToNow() {
        closed(held("alice", "a", 1), "2026-06-14T23:00:00Z", "2026-06-15T01:00:00Z");
        open(held("alice", "b", 2), "2026-06-15T11:00:00Z");
        closed(held("bob", "c", 4), "2026-06-15T00:00:00Z", "2026-06-15T01:00:00Z");

        UsageReport byInstance = ledger.report(new UsageQuery("alice", LocalDate.parse("2026-06-01"), LocalDate.parse("2026-06-30"), UsageQuery.By.INSTANCE));
        UsageReport byDay = ledger.report(new UsageQuery("alice", LocalDate.parse("2026-06-01"), LocalDate.parse("2026-06-30"), UsageQuery.By.DAY));

        assertThat(byInstance.rows()).extracting(UsageReport.Row::instance).containsExactly("a", "b");
        assertThat(byInstance.rows().get(0).usage().gpuSeconds()).containsEntry("H200", 7200.0);
        assertThat(byInstance.rows().get(1).usage().gpuSeconds()).containsEntry("H200", 7200.0);
        assertThat(byDay.rows()).extracting(UsageReport.Row::day).containsExactly(LocalDate.parse("2026-06-14"), LocalDate.parse("2026-06-15"));
        assertThat(byDay.total().gpuSecondsTotal()).isEqualTo(14_400.0);
        assertThat(byDay.rows()).allMatch(r -> r.tenant().equals("alice"));
    }

    @Test
    void everyTenantForTheAdmin() {
        closed(held("alice", "a", 1), "2026-06-15T00:00:00Z", "2026-06-15T01:00:00Z");
        closed(held("bob", "c", 1), "2026-06-15T00:00:00Z", "2026-06-15T01:00:00Z");

        UsageReport all = ledger.report(new UsageQuery(null, LocalDate.parse("2026-06-15"), LocalDate.parse("2026-06-15"), UsageQuery.By.INSTANCE));

        assertThat(all.rows()).extracting(UsageReport.Row::tenant).containsExactly("alice", "bob");
    }

    @Test
    void compactionChangesNoAnswer() {
        clock.set(Instant.parse("2026-09-10T00:00:00Z"));
        closed(held("alice", "a", 1), "2026-03-30T22:00:00Z", "2026-06-02T03:00:00Z");
        closed(held("alice", "a", 2), "2026-06-02T03:00:00Z", "2026-06-02T05:30:00Z");
        closed(held("alice", "b", 1), "2026-05-31T12:00:00Z", "2026-07-01T12:00:00Z");
        closed(held("bob", "c", 3), "2026-04-10T00:00:00Z", "2026-09-01T00:00:00Z");
        open(held("alice", "d", 1), "2026-08-31T20:00:00Z");
        List<UsageQuery> queries = List.of(
                new UsageQuery("alice", LocalDate.parse("2026-01-01"), LocalDate.parse("2026-12-31"), UsageQuery.By.INSTANCE),
                new UsageQuery("alice", LocalDate.parse("2026-04-15"), LocalDate.parse("2026-06-01"), UsageQuery.By.INSTANCE),
                new UsageQuery(null, LocalDate.parse("2026-03-03"), LocalDate.parse("2026-07-29"), UsageQuery.By.INSTANCE),
                new UsageQuery(null, LocalDate.parse("2026-06-02"), LocalDate.parse("2026-06-30"), UsageQuery.By.INSTANCE),
                new UsageQuery(null, LocalDate.parse("2026-05-01"), LocalDate.parse("2026-08-31"), UsageQuery.By.INSTANCE),
                new UsageQuery(null, LocalDate.parse("2026-03-31"), LocalDate.parse("2026-09-09"), UsageQuery.By.DAY),
                new UsageQuery("bob", LocalDate.parse("2026-06-02"), LocalDate.parse("2026-06-02"), UsageQuery.By.DAY));
        List<UsageReport> before = queries.stream().map(ledger::report).toList();

        int folded = 0;
        for (int pass = 0; pass < 10; pass++) {
            folded += new UsageCompactor(store, keys, clock, Duration.ofDays(3)).compact();
        }

        assertThat(folded).isGreaterThan(4);
        assertThat(store.list(keys.intervals())).isEmpty();
        assertThat(store.list(keys.archive())).as("dropped after the retention").isEmpty();
        for (int i = 0; i < queries.size(); i++) {
            UsageReport after = ledger.report(queries.get(i));
            assertThat(after.rows()).hasSameSizeAs(before.get(i).rows());
            for (int r = 0; r < after.rows().size(); r++) {
                assertSame(after.rows().get(r).usage(), before.get(i).rows().get(r).usage());
            }
            assertSame(after.total(), before.get(i).total());
        }
        assertThat(ledger.totals().get("bob").gpuSecondsTotal()).isCloseTo(3.0 * Duration.between(
                Instant.parse("2026-04-10T00:00:00Z"), Instant.parse("2026-09-01T00:00:00Z")).toSeconds(), within(1e-3));
    }

    @Test
    void todaysIntervalsStayRawPastOnesAreFoldedAndArchivedForTheRetention() {
        closed(held("alice", "a", 1), "2026-06-15T00:00:00Z", "2026-06-15T01:00:00Z");
        closed(held("alice", "a", 1), "2026-06-14T00:00:00Z", "2026-06-14T01:00:00Z");
        closed(held("alice", "a", 1), "2026-06-01T00:00:00Z", "2026-06-01T01:00:00Z");

        assertThat(new UsageCompactor(store, keys, clock, Duration.ofDays(7)).compact()).isEqualTo(2);

        assertThat(store.list(keys.intervals())).singleElement().satisfies(kv -> assertThat(kv.key()).contains("/2026-06-15/"));
        assertThat(store.list(keys.archive())).singleElement().satisfies(kv -> assertThat(kv.key()).contains("/2026-06-14/"));
        assertThat(ledger.report(new UsageQuery("alice", LocalDate.parse("2026-06-01"), LocalDate.parse("2026-06-15"), UsageQuery.By.DAY))
                .total().gpuSecondsTotal()).isEqualTo(3 * 3600.0);
    }

    private static void assertSame(Amounts a, Amounts b) {
        assertThat(a.gpuSeconds().keySet()).isEqualTo(b.gpuSeconds().keySet());
        a.gpuSeconds().forEach((m, s) -> assertThat(s).isCloseTo(b.gpuSeconds().get(m), within(1e-6)));
        assertThat(a.coreSeconds()).isCloseTo(b.coreSeconds(), within(1e-6));
        assertThat(a.memoryGiBSeconds()).isCloseTo(b.memoryGiBSeconds(), within(1e-6));
        assertThat(a.instanceSeconds()).isCloseTo(b.instanceSeconds(), within(1e-6));
    }

    static Held held(String tenant, String instance, int gpus) {
        return new Held(Held.REPLICASET, tenant, instance, "RUNNING", Map.of("H200", gpus), 2, 1L << 30, 0);
    }

    private void closed(Held h, String start, String end) {
        Instant s = Instant.parse(start);
        Instant e = Instant.parse(end);
        store.commit(new Txn().put(keys.interval(h.tenant(), h.kind(), h.instance(), s, e), Json.write(new UsageInterval(h, s, e))));
    }

    private void open(Held h, String start) {
        store.commit(new Txn().put(keys.open(h.kind(), h.instance()), Json.write(new OpenInterval(h, Instant.parse(start)))));
    }
}
