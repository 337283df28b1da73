package io.gpudocker.usage;

import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Adds usage up from what etcd holds: compacted usage (running totals by instance, sums of days by tenant), the closed intervals
 * not yet compacted, and the open intervals up to now. Each interval is either closed-and-raw or compacted, never both
 * (compaction moves it in one transaction); a compaction that lands while a query reads makes the query read again.
 */
public class UsageLedger {
    private static final int READ_ATTEMPTS = 5;

    private final KeyValueStore store;
    private final UsageKeys keys;
    private final Clock clock;

    public UsageLedger(KeyValueStore store, UsageKeys keys, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.clock = clock;
    }

    public UsageReport report(UsageQuery q) {
        for (int attempt = 1; ; attempt++) {
            long mark = compactionMark();
            UsageReport report = read(q);
            if (compactionMark() == mark || attempt == READ_ATTEMPTS) {
                return report;
            }
        }
    }

    private long compactionMark() {
        return store.get(keys.compactionMark()).map(KeyValue::modRevision).orElse(0L);
    }

    private UsageReport read(UsageQuery q) {
        Instant now = clock.instant();
        Instant from = UsageInterval.startOf(q.from());
        Instant to = UsageInterval.startOf(q.to().plusDays(1));
        Map<List<Object>, Amounts> rows = new TreeMap<>(UsageLedger::compareKeys);
        BiConsumer<List<Object>, Amounts> add = (k, a) -> rows.merge(k, a, Amounts::plus);
        for (UsageInterval iv : uncompacted(q.from())) {
            Held h = iv.held();
            if (q.tenant() == null || q.tenant().equals(h.tenant())) {
                iv.perDay(from, to, now).forEach((day, a) -> add.accept(rowKey(q, h.tenant(), day, h.kind(), h.instance()), a));
            }
        }
        if (q.by() == UsageQuery.By.DAY) {
            for (KeyValue kv : store.range(keys.tenantDays(), keys.tenantDaysOf(q.from()), keys.tenantDaysOf(q.to().plusDays(1)))) {
                String[] p = tail(kv.key(), keys.tenantDays());
                if (q.tenant() == null || q.tenant().equals(p[1])) {
                    add.accept(rowKey(q, p[1], LocalDate.parse(p[0]), null, null), Amounts.decode(kv.value()));
                }
            }
        } else {
            compactedByInstance(q, add);
        }
        List<UsageReport.Row> out = new ArrayList<>();
        Amounts total = Amounts.ZERO;
        for (Map.Entry<List<Object>, Amounts> e : rows.entrySet()) {
            List<Object> k = e.getKey();
            Amounts a = e.getValue().cleaned();
            if (a.isZero()) {
                continue;
            }
            out.add(q.by() == UsageQuery.By.DAY
                    ? new UsageReport.Row((String) k.get(1), (LocalDate) k.get(0), null, null, a)
                    : new UsageReport.Row((String) k.get(0), null, (String) k.get(1), (String) k.get(2), a));
            total = total.plus(a);
        }
        return new UsageReport(q.from(), q.to(), q.by().name().toLowerCase(), out, total);
    }

    /**
     * The compacted usage of each instance over the query's days, from running totals: in each calendar year the
     * query touches, its whole months from the year's running monthly totals, and the days it takes of a month it
     * cuts from that month's running daily totals; two figures per part, whatever its length. Daily sums left by an
     * earlier release (until the compaction has moved them) are added as they are.
     */
    private void compactedByInstance(UsageQuery q, BiConsumer<List<Object>, Amounts> add) {
        for (int year = q.from().getYear(); year <= q.to().getYear(); year++) {
            LocalDate a = q.from().getYear() == year ? q.from() : LocalDate.of(year, 1, 1);
            LocalDate b = q.to().getYear() == year ? q.to() : LocalDate.of(year, 12, 31);
            YearMonth first = YearMonth.from(a);
            YearMonth last = YearMonth.from(b);
            boolean startsMonth = a.getDayOfMonth() == 1;
            boolean endsMonth = b.equals(last.atEndOfMonth());
            if (first.equals(last) && !(startsMonth && endsMonth)) {
                running(q, add, keys.runningDays(), keys.runningDaysOf(first), a.getDayOfMonth() - 1, b.getDayOfMonth());
                continue;
            }
            if (!startsMonth) {
                running(q, add, keys.runningDays(), keys.runningDaysOf(first), a.getDayOfMonth() - 1, first.lengthOfMonth());
            }
            int fullFrom = startsMonth ? first.getMonthValue() : first.getMonthValue() + 1;
            int fullTo = endsMonth ? last.getMonthValue() : last.getMonthValue() - 1;
            if (fullFrom <= fullTo) {
                running(q, add, keys.runningMonths(), keys.runningMonthsOf(year), fullFrom - 1, fullTo);
            }
            if (!endsMonth) {
                running(q, add, keys.runningDays(), keys.runningDaysOf(last), 0, b.getDayOfMonth());
            }
        }
        for (KeyValue kv : store.range(keys.legacyDays(), keys.legacyDaysOf(q.from()), keys.legacyDaysOf(q.to().plusDays(1)))) {
            String[] p = tail(kv.key(), keys.legacyDays());
            if (q.tenant() == null || q.tenant().equals(p[1])) {
                add.accept(List.of(p[1], p[2], p[3]), Amounts.decode(kv.value()));
            }
        }
    }

    /** Adds, from each instance's running totals under {@code period}, its usage of entries {@code after + 1} to {@code through}. */
    private void running(UsageQuery q, BiConsumer<List<Object>, Amounts> add, String prefix, String period, int after, int through) {
        String from = q.tenant() == null ? period : period + q.tenant() + "/";
        for (KeyValue kv : store.range(prefix, from, from + "~")) {
            Amounts a = RunningSums.decode(kv.value()).between(after, through);
            if (a != null) {
                String[] p = tail(kv.key(), prefix);
                add.accept(List.of(p[1], p[2], p[3]), a);
            }
        }
    }

    /** The closed intervals not yet compacted that ended on {@code from} or later, and every open one. */
    public List<UsageInterval> uncompacted(LocalDate from) {
        List<UsageInterval> all = new ArrayList<>();
        for (KeyValue kv : store.range(keys.intervals(), keys.intervalsOf(from), keys.intervals() + "~")) {
            all.add(Json.read(kv.value(), UsageInterval.class));
        }
        for (KeyValue kv : store.list(keys.opens())) {
            all.add(Json.read(kv.value(), OpenInterval.class).unclosed());
        }
        return all;
    }

    /** Every tenant's usage since metering began, up to now: compacted totals, closed and open intervals. */
    public Map<String, Amounts> totals() {
        Map<String, Amounts> totals = new HashMap<>();
        for (KeyValue kv : store.list(keys.tenantTotals())) {
            totals.merge(tail(kv.key(), keys.tenantTotals())[0], Amounts.decode(kv.value()), Amounts::plus);
        }
        Instant now = clock.instant();
        for (UsageInterval iv : uncompacted(LocalDate.EPOCH)) {
            iv.perDay(Instant.EPOCH, now.plusSeconds(1), now).values()
                    .forEach(a -> totals.merge(iv.held().tenant(), a, Amounts::plus));
        }
        return totals;
    }

    private static List<Object> rowKey(UsageQuery q, String tenant, LocalDate day, String kind, String instance) {
        return q.by() == UsageQuery.By.DAY ? List.of(day, tenant) : List.of(tenant, kind, instance);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareKeys(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = ((Comparable) a.get(i)).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    static String[] tail(String key, String prefix) {
        return key.substring(prefix.length()).split("/");
    }
}
