package io.gpudocker.usage;

import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Txn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds the closed intervals of past days into compacted usage, so that a query reads sums for every day but today:
 * each interval in one transaction that moves it to the archive and adds its part of each day to its instance's
 * running totals of that month and of that year, to that day's sum of its tenant and to its tenant's total, every
 * key guarded on the value it was read at.
 * A crash between two intervals leaves one folded and the next not; two nodes compacting at once lose a guard, and the
 * loser reads again next pass. Archived intervals are dropped once the retention has passed: only the sums stay.
 */
public class UsageCompactor {
    private static final Logger log = LoggerFactory.getLogger(UsageCompactor.class);
    /** Days of one interval folded per transaction, so that a long interval stays under etcd's operations per transaction. */
    static final int DAYS_PER_TXN = 28;

    private final KeyValueStore store;
    private final UsageKeys keys;
    private final Clock clock;
    private final Duration retention;

    public UsageCompactor(KeyValueStore store, UsageKeys keys, Clock clock, Duration retention) {
        this.store = store;
        this.keys = keys;
        this.clock = clock;
        this.retention = retention;
    }

    /** Folds every closed interval that ended before today (UTC), then drops archived ones older than the retention; how many were folded. */
    public int compact() {
        try {
            moveLegacySums();
        } catch (RuntimeException e) {
            log.warn("usage sums of an earlier release not moved to running totals this pass: {}", e.getMessage());
        }
        LocalDate today = UsageInterval.day(clock.instant());
        int folded = 0;
        for (KeyValue kv : store.range(keys.intervals(), keys.intervals(), keys.intervalsOf(today))) {
            try {
                if (fold(kv)) {
                    folded++;
                }
            } catch (RuntimeException e) {
                log.warn("usage interval {} not compacted this pass: {}", kv.key(), e.getMessage());
            }
        }
        if (folded > 0) {
            log.info("folded {} usage intervals that ended before {} into running totals and daily sums", folded, today);
        }
        expire(UsageInterval.day(clock.instant().minus(retention)));
        return folded;
    }

    /** Drops the archived intervals that ended before {@code cutoff}, a hundred keys per transaction. */
    private void expire(LocalDate cutoff) {
        List<String> old = store.range(keys.archive(), keys.archive(), keys.archiveOf(cutoff)).stream().map(KeyValue::key).toList();
        for (int i = 0; i < old.size(); i += 100) {
            Txn txn = new Txn();
            old.subList(i, Math.min(old.size(), i + 100)).forEach(txn::delete);
            store.commit(txn);
        }
        if (!old.isEmpty()) {
            log.info("dropped {} archived usage intervals that ended before {} (retention {}); their sums stay", old.size(), cutoff, retention);
        }
    }

    /** Adds {@code a} to the sum at {@code key}, guarded on the value it was read at. */
    private void addToSum(Txn txn, String key, Amounts a) {
        Optional<KeyValue> current = store.get(key);
        if (current.isPresent()) {
            txn.requireModRevision(key, current.get().modRevision()).put(key, Amounts.decode(current.get().value()).plus(a).encode());
        } else {
            txn.requireAbsent(key).put(key, a.encode());
        }
    }

    /** Adds each part (day or month number, usage) to the running totals at {@code key}, guarded on the value they were read at. */
    private void addToRunning(Txn txn, String key, List<Map.Entry<Integer, Amounts>> parts) {
        Optional<KeyValue> current = store.get(key);
        RunningSums sums = current.map(kv -> RunningSums.decode(kv.value())).orElse(RunningSums.EMPTY);
        for (Map.Entry<Integer, Amounts> part : parts) {
            sums = sums.plus(part.getKey(), part.getValue());
        }
        if (current.isPresent()) {
            txn.requireModRevision(key, current.get().modRevision());
        } else {
            txn.requireAbsent(key);
        }
        txn.put(key, sums.encode());
    }

    /**
     * Moves the daily sums per instance that a release before the running totals left ({@code usage/days/}) into
     * running totals, one instance and month per transaction: its daily sums deleted, its monthly sum deleted, the
     * same figures added to its running totals, all or nothing, so that a crash between two moves leaves each month
     * either wholly moved or wholly as it was, and queries (which read both) never count a day twice nor miss it.
     * Nothing to do, one read of an empty range, once every sum has moved.
     */
    private void moveLegacySums() {
        List<String> months = store.keys(keys.legacyMonths()).stream()
                .map(k -> UsageLedger.tail(k, keys.legacyMonths())[0]).distinct().toList();
        List<String> daysLeft = months.isEmpty() ? store.keys(keys.legacyDays()) : List.of();
        if (months.isEmpty() && daysLeft.isEmpty()) {
            return;
        }
        java.util.SortedSet<YearMonth> toMove = new java.util.TreeSet<>();
        months.forEach(m -> toMove.add(YearMonth.parse(m)));
        daysLeft.forEach(k -> toMove.add(YearMonth.from(LocalDate.parse(UsageLedger.tail(k, keys.legacyDays())[0]))));
        int moved = 0;
        for (YearMonth month : toMove) {
            Map<String, List<KeyValue>> byInstance = new LinkedHashMap<>();
            for (KeyValue kv : store.range(keys.legacyDays(), keys.legacyDaysOf(month.atDay(1)), keys.legacyDaysOf(month.plusMonths(1).atDay(1)))) {
                String[] p = UsageLedger.tail(kv.key(), keys.legacyDays());
                byInstance.computeIfAbsent(p[1] + "/" + p[2] + "/" + p[3], k -> new ArrayList<>()).add(kv);
            }
            boolean all = true;
            for (List<KeyValue> days : byInstance.values()) {
                try {
                    if (moveLegacyMonth(month, days)) {
                        moved++;
                    } else {
                        all = false;
                    }
                } catch (RuntimeException e) {
                    all = false;
                    log.warn("usage sums of {} not moved to running totals this pass: {}", month, e.getMessage());
                }
            }
            if (all) {
                // every daily sum of the month has moved: its monthly sums (their totals) are no longer read
                store.commit(new Txn().deletePrefix(keys.legacyMonthsOf(month)));
            }
        }
        if (moved > 0) {
            log.info("moved the daily usage sums of {} instance-months into running totals", moved);
        }
    }

    private boolean moveLegacyMonth(YearMonth month, List<KeyValue> days) {
        String[] p = UsageLedger.tail(days.get(0).key(), keys.legacyDays());
        String tenant = p[1];
        String kind = p[2];
        String name = p[3];
        Txn txn = new Txn();
        List<Map.Entry<Integer, Amounts>> byDay = new ArrayList<>();
        Amounts total = Amounts.ZERO;
        for (KeyValue kv : days) {
            Amounts a = Amounts.decode(kv.value());
            byDay.add(Map.entry(LocalDate.parse(UsageLedger.tail(kv.key(), keys.legacyDays())[0]).getDayOfMonth(), a));
            total = total.plus(a);
            txn.requireModRevision(kv.key(), kv.modRevision()).delete(kv.key());
        }
        txn.delete(keys.legacyMonth(month, tenant, kind, name));
        addToRunning(txn, keys.runningDays(month, tenant, kind, name), byDay);
        addToRunning(txn, keys.runningMonths(month.getYear(), tenant, kind, name), List.of(Map.entry(month.getMonthValue(), total)));
        txn.put(keys.compactionMark(), UUID.randomUUID().toString());
        return store.commit(txn);
    }

    private boolean fold(KeyValue raw) {
        UsageInterval iv = Json.read(raw.value(), UsageInterval.class);
        Map<LocalDate, Amounts> days = iv.perDay(iv.start(), iv.end(), iv.end());
        Txn txn = new Txn().requireModRevision(raw.key(), raw.modRevision()).delete(raw.key()).put(keys.archived(raw.key()), raw.value());
        Map<LocalDate, Amounts> now = new LinkedHashMap<>();
        days.entrySet().stream().limit(DAYS_PER_TXN).forEach(e -> now.put(e.getKey(), e.getValue()));
        if (now.size() < days.size()) {
            // the rest stays a closed interval, starting where this part ends
            Instant rest = UsageInterval.startOf(days.keySet().stream().skip(DAYS_PER_TXN).findFirst().orElseThrow());
            UsageInterval remaining = new UsageInterval(iv.held(), rest, iv.end());
            Held h = iv.held();
            txn.put(keys.interval(h.tenant(), h.kind(), h.instance(), rest, iv.end()), Json.write(remaining));
        }
        Held h = iv.held();
        Map<String, Amounts> sums = new LinkedHashMap<>();
        Map<String, List<Map.Entry<Integer, Amounts>>> running = new LinkedHashMap<>();
        now.forEach((day, a) -> {
            sums.merge(keys.tenantDay(day, h.tenant()), a, Amounts::plus);
            sums.merge(keys.tenantTotal(h.tenant()), a, Amounts::plus);
            running.computeIfAbsent(keys.runningDays(YearMonth.from(day), h.tenant(), h.kind(), h.instance()), k -> new ArrayList<>())
                    .add(Map.entry(day.getDayOfMonth(), a));
            running.computeIfAbsent(keys.runningMonths(day.getYear(), h.tenant(), h.kind(), h.instance()), k -> new ArrayList<>())
                    .add(Map.entry(day.getMonthValue(), a));
        });
        sums.forEach((key, a) -> addToSum(txn, key, a));
        running.forEach((key, parts) -> addToRunning(txn, key, parts));
        txn.put(keys.compactionMark(), UUID.randomUUID().toString());
        return store.commit(txn);
    }
}
