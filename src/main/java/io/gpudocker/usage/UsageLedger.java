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
 * Adds usage up from what etcd holds: compacted sums (months and days by instance, days by tenant), the closed intervals
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
     * Whole months inside the query from the monthly sums; a month the query cuts from its daily sums, or, where the
     * query covers most of it, from its monthly sum less the daily sums of the days left out: never more than half a
     * month of daily sums per cut month.
     */
    private void compactedByInstance(UsageQuery q, BiConsumer<List<Object>, Amounts> add) {
        YearMonth first = YearMonth.from(q.from());
        YearMonth last = YearMonth.from(q.to());
        YearMonth fullFrom = q.from().getDayOfMonth() == 1 ? first : first.plusMonths(1);
        YearMonth fullTo = q.to().equals(last.atEndOfMonth()) ? last : last.minusMonths(1);
        if (!fullFrom.isAfter(fullTo)) {
            if (q.tenant() == null) {
                compacted(q, add, keys.months(), keys.monthsOf(fullFrom), keys.monthsOf(fullTo.plusMonths(1)), false);
            } else {
                // one tenant's sums of each month: a range of its own, not every tenant's read and dropped
                for (YearMonth m = fullFrom; !m.isAfter(fullTo); m = m.plusMonths(1)) {
                    String tenantMonth = keys.monthsOf(m) + q.tenant() + "/";
                    compacted(q, add, keys.months(), tenantMonth, tenantMonth + "~", false);
                }
            }
        }
        for (YearMonth cut : first.equals(last) ? List.of(first) : List.of(first, last)) {
            if (!cut.isBefore(fullFrom) && !cut.isAfter(fullTo)) {
                continue;
            }
            LocalDate in = q.from().isAfter(cut.atDay(1)) ? q.from() : cut.atDay(1);
            LocalDate out = q.to().isBefore(cut.atEndOfMonth()) ? q.to() : cut.atEndOfMonth();
            long inside = in.until(out).getDays() + 1;
            if (inside * 2 <= cut.lengthOfMonth()) {
                dailyCompacted(q, add, in, out.plusDays(1), false);
            } else {
                compacted(q, add, keys.months(), keys.monthsOf(cut), keys.monthsOf(cut.plusMonths(1)), false);
                dailyCompacted(q, add, cut.atDay(1), in, true);
                dailyCompacted(q, add, out.plusDays(1), cut.plusMonths(1).atDay(1), true);
            }
        }
    }

    private void dailyCompacted(UsageQuery q, BiConsumer<List<Object>, Amounts> add, LocalDate from, LocalDate toExcluded, boolean subtract) {
        if (from.isBefore(toExcluded)) {
            compacted(q, add, keys.days(), keys.daysOf(from), keys.daysOf(toExcluded), subtract);
        }
    }

    private void compacted(UsageQuery q, BiConsumer<List<Object>, Amounts> add, String prefix, String fromKey, String toKey, boolean subtract) {
        for (KeyValue kv : store.range(prefix, fromKey, toKey)) {
            String[] p = tail(kv.key(), prefix);
            if (q.tenant() == null || q.tenant().equals(p[1])) {
                Amounts a = Amounts.decode(kv.value());
                add.accept(List.of(p[1], p[2], p[3]), subtract ? a.negated() : a);
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
