package io.gpudocker.bench;

import io.etcd.jetcd.Client;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.ReplicaSetVersion;
import io.gpudocker.store.Cluster;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.EtcdKeyValueStore;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Stored;
import io.gpudocker.store.Txn;
import io.gpudocker.usage.Amounts;
import io.gpudocker.usage.Held;
import io.gpudocker.usage.MeteringHook;
import io.gpudocker.usage.OpenInterval;
import io.gpudocker.usage.RunningSums;
import io.gpudocker.usage.UsageInterval;
import io.gpudocker.usage.UsageKeys;
import io.gpudocker.usage.UsageLedger;
import io.gpudocker.usage.UsageQuery;
import io.gpudocker.usage.UsageReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The two costs of usage metering, against a real etcd: (1) the create transaction of a replicaset (record, version,
 * GPU and port allocations, intent) with metering off and on, interleaved; (2) usage queries over one year of 1,000
 * instances, whose intervals (one change every 6 hours) are seeded as the compaction leaves them: running totals per
 * instance and month and per instance and year, sums per tenant and day for past days, today's closed intervals raw,
 * and every instance's open interval; and where the time of a query goes, against the layout before running totals.
 * Writes a Markdown table to the file given.
 */
public final class UsageBench {
    private static final int INSTANCES = 1000;
    private static final int TENANTS = 10;
    private static final int CREATES = 600;
    private static final int QUERY_RUNS = 20;

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        Path out = Path.of(args[1]);
        try (Client client = Client.builder().endpoints(endpoint).maxInboundMessageSize(EtcdKeyValueStore.MAX_MESSAGE_BYTES).build()) {
            KeyValueStore store = new EtcdKeyValueStore(client, Duration.ofSeconds(30), endpoint);
            StringBuilder md = new StringBuilder();
            createLatency(store, md);
            queryLatency(store, md);
            Files.writeString(out, md.toString());
            System.out.print(md);
        }
    }

    // ---- (1) create transaction, metering off vs on ------------------------------------------------------

    private static void createLatency(KeyValueStore store, StringBuilder md) {
        Keys keys = new Keys("/bench-create");
        ClusterIdentity identity = new ClusterIdentity(store, keys, "bench etcd");
        identity.createIfAbsent(Cluster.fresh());
        identity.confirm();
        Intents intents = new Intents(store, keys, identity);
        ReplicaSetRepository off = new ReplicaSetRepository(store, keys, intents);
        ReplicaSetRepository on = new ReplicaSetRepository(store, keys, intents);
        UsageKeys usage = new UsageKeys(keys.usage());
        on.addChangeHook(new MeteringHook<>(store, usage, Clock.systemUTC(), Held.REPLICASET, ReplicaSetRecord::name,
                r -> new Held(Held.REPLICASET, "bench", r.name(), r.state().name(), Map.of("H200", r.gpus().size()), 0, 0L, 0L),
                ReplicaSetRecord::updateTime));
        long[] offTimes = new long[CREATES];
        long[] onTimes = new long[CREATES];
        for (int i = 0; i < CREATES + 50; i++) {
            // interleaved, alternating which goes first, so drift and load weigh on both alike; the first 50 warm up
            boolean onFirst = i % 2 == 0;
            long a = onFirst ? create(on, intents, "on" + i) : create(off, intents, "off" + i);
            long b = onFirst ? create(off, intents, "off" + i) : create(on, intents, "on" + i);
            if (i >= 50) {
                onTimes[i - 50] = onFirst ? a : b;
                offTimes[i - 50] = onFirst ? b : a;
            }
        }
        store.commit(new Txn().deletePrefix("/bench-create/"));
        double offMedian = median(offTimes);
        double onMedian = median(onTimes);
        md.append("| create transaction (record, version, 2 GPUs, 1 port, intent) | metering off | metering on | ratio (on/off) | goal |\n");
        md.append("|---|---|---|---|---|\n");
        md.append(String.format(Locale.ROOT, "| median of %d, ms | %.3f | %.3f | %.3f | <= 1.05 |%n", CREATES, offMedian, onMedian, onMedian / offMedian));
        md.append(String.format(Locale.ROOT, "| mean of %d, ms | %.3f | %.3f | %.3f | |%n%n", CREATES, mean(offTimes), mean(onTimes), mean(onTimes) / mean(offTimes)));
        System.err.print(md);
    }

    private static long create(ReplicaSetRepository repo, Intents intents, String name) {
        Instant now = Instant.now();
        List<String> gpus = List.of("GPU-" + name + "-a", "GPU-" + name + "-b");
        Map<String, Integer> ports = Map.of("22/tcp", 20000 + Math.floorMod(name.hashCode(), 40000));
        ReplicaSetRecord r = new ReplicaSetRecord(name, 1, ReplicaSetState.RUNNING, gpus, ports, now, now, "bench");
        ReplicaSetVersion v = new ReplicaSetVersion(name, 1, name + "-1", now, "create", null, gpus, ports);
        Intent op = intents.begin(Intent.start(Intent.REPLICASET, "create", name, 1));
        long t0 = System.nanoTime();
        repo.create(r, v, op);
        long t = System.nanoTime() - t0;
        Stored<ReplicaSetRecord> s = repo.require(name);
        repo.delete(s, Intent.deleting(Intent.REPLICASET, name, 1, List.of()));
        intents.all().forEach(intents::drop);
        return t;
    }

    // ---- (2) a year of 1,000 instances ---------------------------------------------------------------------

    private static void queryLatency(KeyValueStore store, StringBuilder md) {
        Keys keys = new Keys("/bench-usage");
        UsageKeys usage = new UsageKeys(keys.usage());
        Instant now = Instant.now();
        LocalDate today = UsageInterval.day(now);
        LocalDate first = today.minusDays(364);
        Instant from = UsageInterval.startOf(first);
        Instant midnight = UsageInterval.startOf(today);
        Random random = new Random(42);
        Map<String, Amounts> sums = new HashMap<>();
        Map<String, TreeMap<Integer, Amounts>> running = new HashMap<>();
        // the daily and monthly sums per instance of the layout before running totals: only read raw, for the profile
        Map<String, Amounts> legacy = new HashMap<>();
        List<Txn> raw = new ArrayList<>();
        Txn batch = new Txn();
        int rawCount = 0;
        long closed = 0;
        Amounts expected = Amounts.ZERO;
        for (int i = 0; i < INSTANCES; i++) {
            String tenant = "tenant" + (i % TENANTS);
            String name = "inst" + i;
            Instant t = from.plusSeconds(random.nextInt(21_600));
            while (true) {
                int gpus = 1 + random.nextInt(4);
                Held h = new Held(Held.REPLICASET, tenant, name, random.nextInt(4) == 0 ? "PAUSED" : "RUNNING",
                        Map.of(random.nextInt(3) == 0 ? "NVIDIA A100" : "NVIDIA H200", gpus), 8 * gpus, (64L << 30) * gpus, 0);
                Instant end = t.plusSeconds(21_600);
                if (!end.isBefore(now)) {
                    batch.put(usage.open(Held.REPLICASET, name), Json.write(new OpenInterval(h, t)));
                    expected = expected.plus(sum(new UsageInterval(h, t, null).perDay(from, now, now)));
                    break;
                }
                UsageInterval iv = new UsageInterval(h, t, end);
                closed++;
                expected = expected.plus(sum(iv.perDay(from, now, now)));
                if (!end.isBefore(midnight)) {
                    batch.put(usage.interval(tenant, Held.REPLICASET, name, t, end), Json.write(iv));
                    rawCount++;
                } else {
                    iv.perDay(from, midnight, midnight).forEach((day, a) -> {
                        running.computeIfAbsent(usage.runningDays(YearMonth.from(day), tenant, Held.REPLICASET, name), k -> new TreeMap<>())
                                .merge(day.getDayOfMonth(), a, Amounts::plus);
                        running.computeIfAbsent(usage.runningMonths(day.getYear(), tenant, Held.REPLICASET, name), k -> new TreeMap<>())
                                .merge(day.getMonthValue(), a, Amounts::plus);
                        legacy.merge(usage.legacyDay(day, tenant, Held.REPLICASET, name), a, Amounts::plus);
                        legacy.merge(usage.legacyMonth(YearMonth.from(day), tenant, Held.REPLICASET, name), a, Amounts::plus);
                        sums.merge(usage.tenantDay(day, tenant), a, Amounts::plus);
                        sums.merge(usage.tenantTotal(tenant), a, Amounts::plus);
                    });
                }
                if (batch.ops().size() >= 100) {
                    raw.add(batch);
                    batch = new Txn();
                }
                t = end;
            }
        }
        raw.add(batch);
        Map<String, String> values = new HashMap<>();
        sums.forEach((k, a) -> values.put(k, a.encode()));
        running.forEach((k, byIndex) -> {
            RunningSums r = RunningSums.EMPTY;
            for (Map.Entry<Integer, Amounts> e : byIndex.entrySet()) {
                r = r.plus(e.getKey(), e.getValue());
            }
            values.put(k, r.encode());
        });
        // the old layout under a root of its own, so that the ledger never reads it
        UsageKeys old = new UsageKeys("/bench-usage-old/");
        legacy.forEach((k, a) -> values.put(old.root() + k.substring(usage.root().length()), a.encode()));
        System.err.printf("seeding %d keys (%d running totals, %d sums by tenant, %d sums of the old layout), %d raw intervals, %d open ones (%d intervals in the year)%n",
                values.size(), running.size(), sums.size(), legacy.size(), rawCount, INSTANCES, closed);
        raw.forEach(t -> seed(store, t));
        Txn sumsBatch = new Txn();
        for (Map.Entry<String, String> e : values.entrySet()) {
            sumsBatch.put(e.getKey(), e.getValue());
            if (sumsBatch.ops().size() >= 100) {
                seed(store, sumsBatch);
                sumsBatch = new Txn();
            }
        }
        seed(store, sumsBatch);

        UsageLedger ledger = new UsageLedger(store, usage, Clock.systemUTC());
        md.append(String.format(Locale.ROOT, "Seeded: %d instances of %d tenants, one change every 6 hours for 365 days: %d closed intervals "
                + "(%d of today still raw, the rest folded into %d running totals per instance and month or year, and %d sums per tenant and day or in all) "
                + "and %d open ones.%n%n", INSTANCES, TENANTS, closed, rawCount, running.size(), sums.size(), INSTANCES));
        LocalDate jan1 = today.withDayOfYear(1);
        LocalDate dec31 = today.withDayOfYear(today.lengthOfYear());
        md.append("| query | rows | runs (ms) | median (ms) | goal |\n|---|---|---|---|---|\n");
        query(ledger, md, "admin, by=instance, calendar year " + jan1 + " to " + dec31, new UsageQuery(null, jan1, dec31, UsageQuery.By.INSTANCE), null);
        query(ledger, md, "admin, by=day, calendar year", new UsageQuery(null, jan1, dec31, UsageQuery.By.DAY), null);
        query(ledger, md, "one tenant (100 instances), by=instance, calendar year", new UsageQuery("tenant3", jan1, dec31, UsageQuery.By.INSTANCE), null);
        query(ledger, md, "admin, by=instance, last 365 days " + first + " to " + today,
                new UsageQuery(null, first, today, UsageQuery.By.INSTANCE), expected);
        query(ledger, md, "admin, by=day, last 365 days", new UsageQuery(null, first, today, UsageQuery.By.DAY), expected);
        query(ledger, md, "one tenant (100 instances), by=instance, last 365 days", new UsageQuery("tenant3", first, today, UsageQuery.By.INSTANCE), null);
        query(ledger, md, "one tenant (100 instances), by=day, last 365 days", new UsageQuery("tenant3", first, today, UsageQuery.By.DAY), null);
        profile(store, usage, old, first, today, md);
        // the etcd is thrown away with its data: no cleanup of 380,000 keys in one transaction
    }

    /**
     * Where the time of the rolling year by instance goes: the etcd reads of the compacted keys it takes (the running
     * totals now; the monthly sums and the daily sums of cut months the layout before them read), of the intervals not
     * yet compacted and of the open ones, and the decoding of the running totals.
     */
    private static void profile(KeyValueStore store, UsageKeys usage, UsageKeys old, LocalDate first, LocalDate today, StringBuilder md) {
        YearMonth firstMonth = YearMonth.from(first);
        YearMonth lastMonth = YearMonth.from(today);
        List<String[]> now = List.of(
                new String[] {usage.runningDays(), usage.runningDaysOf(firstMonth), usage.runningDaysOf(firstMonth) + "~"},
                new String[] {usage.runningMonths(), usage.runningMonthsOf(today.getYear()), usage.runningMonthsOf(today.getYear()) + "~"},
                new String[] {usage.runningDays(), usage.runningDaysOf(lastMonth), usage.runningDaysOf(lastMonth) + "~"});
        // what the layout before read: each month's monthly sums, less (first month) or plus (last month) daily sums
        List<String[]> before = new ArrayList<>();
        before.add(new String[] {old.legacyMonths(), old.legacyMonthsOf(firstMonth), old.legacyMonthsOf(lastMonth)});
        before.add(new String[] {old.legacyDays(), old.legacyDaysOf(firstMonth.atDay(1)), old.legacyDaysOf(first)});
        before.add(new String[] {old.legacyDays(), old.legacyDaysOf(lastMonth.atDay(1)), old.legacyDaysOf(today.plusDays(1))});
        List<String[]> raw = List.of(new String[] {usage.intervals(), usage.intervalsOf(first), usage.intervals() + "~"},
                new String[] {usage.opens(), usage.opens(), usage.opens() + "~"});
        md.append("\nWhere the time of the admin's last 365 days by instance goes (medians of ").append(QUERY_RUNS).append(" runs):\n\n");
        md.append("| step | keys | MB | median (ms) |\n|---|---|---|---|\n");
        profileReads(store, md, "etcd reads of the running totals (now: 3 ranges)", now, false);
        profileReads(store, md, "decoding the running totals read and taking two figures from each", now, true);
        profileReads(store, md, "etcd reads of the sums the layout before running totals read (monthly sums, daily sums of the cut months)", before, false);
        profileReads(store, md, "etcd reads of the intervals not yet compacted and the open ones (both layouts)", raw, false);
    }

    private static void profileReads(KeyValueStore store, StringBuilder md, String what, List<String[]> ranges, boolean decode) {
        long[] times = new long[QUERY_RUNS];
        int keys = 0;
        long bytes = 0;
        for (int i = -3; i < QUERY_RUNS; i++) {
            List<KeyValue> read = new ArrayList<>();
            long t0 = System.nanoTime();
            for (String[] r : ranges) {
                read.addAll(store.range(r[0], r[1], r[2]));
            }
            long t1 = System.nanoTime();
            if (decode) {
                double sink = 0;
                for (KeyValue kv : read) {
                    Amounts a = RunningSums.decode(kv.value()).between(3, 28);
                    sink += a == null ? 0 : a.gpuSecondsTotal();
                }
                if (sink < 0) {
                    throw new IllegalStateException();
                }
            }
            long t2 = System.nanoTime();
            if (i >= 0) {
                times[i] = decode ? t2 - t1 : t1 - t0;
            }
            keys = read.size();
            bytes = read.stream().mapToLong(kv -> kv.key().length() + kv.value().length()).sum();
        }
        md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f |%n", what, keys, bytes / 1e6, median(times)));
        System.err.printf("%s: %d keys, median %.1f ms%n", what, keys, median(times));
    }

    /** Seeding writes plain puts: one that timed out on a loaded machine is simply written again. */
    private static void seed(KeyValueStore store, Txn txn) {
        for (int attempt = 1; ; attempt++) {
            try {
                store.commit(txn);
                return;
            } catch (io.gpudocker.store.StoreUnavailableException e) {
                if (attempt == 10) {
                    throw e;
                }
                try {
                    Thread.sleep(1000L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static void query(UsageLedger ledger, StringBuilder md, String what, UsageQuery q, Amounts expected) {
        long[] times = new long[QUERY_RUNS];
        UsageReport r = null;
        for (int i = -3; i < QUERY_RUNS; i++) {
            long t0 = System.nanoTime();
            r = ledger.report(q);
            if (i >= 0) {
                times[i] = System.nanoTime() - t0;
            }
        }
        if (expected != null) {
            // the open intervals grew while the queries ran: compare what was closed and a bound on the rest
            double got = r.total().gpuSecondsTotal();
            double want = expected.gpuSecondsTotal();
            if (got < want - 1e-3 || got > want + 4 * INSTANCES * 600) {
                throw new IllegalStateException(what + ": " + got + " GPU-seconds, expected about " + want);
            }
        }
        StringBuilder runs = new StringBuilder();
        for (long t : times) {
            runs.append(String.format(Locale.ROOT, "%.0f ", t / 1e6));
        }
        md.append(String.format(Locale.ROOT, "| %s | %d | %s| %.1f | <= 200 |%n", what, r.rows().size(), runs, median(times)));
        System.err.printf("%s: median %.1f ms%n", what, median(times));
    }

    private static Amounts sum(Map<LocalDate, Amounts> days) {
        return days.values().stream().reduce(Amounts.ZERO, Amounts::plus);
    }

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        java.util.Arrays.sort(s);
        return (s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0) / 1e6;
    }

    private static double mean(long[] nanos) {
        return java.util.Arrays.stream(nanos).average().orElse(0) / 1e6;
    }

    private UsageBench() {}


}
