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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds the closed intervals of past days into daily sums, so that a query reads sums for every day but today: each
 * interval in one transaction that moves it to the archive and adds its part of each day to that day's sum of its
 * instance, of its tenant, to its month's sum and to its tenant's total, every sum guarded on the value it was read at.
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
            log.info("folded {} usage intervals that ended before {} into daily sums", folded, today);
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
            log.info("dropped {} archived usage intervals that ended before {} (retention {}); their daily sums stay", old.size(), cutoff, retention);
        }
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
        now.forEach((day, a) -> {
            sums.merge(keys.day(day, h.tenant(), h.kind(), h.instance()), a, Amounts::plus);
            sums.merge(keys.tenantDay(day, h.tenant()), a, Amounts::plus);
            sums.merge(keys.month(YearMonth.from(day), h.tenant(), h.kind(), h.instance()), a, Amounts::plus);
            sums.merge(keys.tenantTotal(h.tenant()), a, Amounts::plus);
        });
        sums.forEach((key, a) -> {
            Optional<KeyValue> current = store.get(key);
            if (current.isPresent()) {
                txn.requireModRevision(key, current.get().modRevision())
                        .put(key, Amounts.decode(current.get().value()).plus(a).encode());
            } else {
                txn.requireAbsent(key).put(key, a.encode());
            }
        });
        txn.put(keys.compactionMark(), UUID.randomUUID().toString());
        return store.commit(txn);
    }
}
