package io.gpudocker.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetSpec;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.ReplicaSetVersion;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Intent;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The etcd load of a cluster of N nodes, simulated against a throwaway etcd ({@code make bench-cluster-limits}).
 * Each simulated node does what a node of the service does to etcd: a status key under a lease (TTL 10 s, kept
 * alive by jetcd as the service does), rewritten on a change (one per node per 10 s), one placement (a range read
 * of {@code nodes/}) and create per minute and one delete per minute of an instance, shaped like the service's own
 * transactions (the records are the service's own classes, serialised by its own {@code Json}), and a console
 * polling {@code GET /nodes} once a second. A first window with keepalives alone shows whether they cost raft
 * writes. Writes a Markdown table of the figures to the file given.
 *
 * <p>Arguments: {@code <etcd endpoint> <etcd pid> <output.md> [seconds per size (40)] [sizes (10,100,1000)]}.
 */
public final class ClusterLoadSimulation {
    private static final String PREFIX = "/gda-bench-cluster";
    private static final long LEASE_TTL_SECONDS = 10;
    private static final int GPUS_PER_NODE = 8;
    /** Instances that stay for the whole run on each node, and the versions each has kept. */
    private static final int STEADY_INSTANCES = 3;
    private static final int VERSIONS_KEPT = 5;
    /** Each instance: 2 GPUs, 1 host port, 16 cores (8 per GPU). */
    private static final int GPUS_PER_INSTANCE = 2;
    private static final int CORES_PER_INSTANCE = 16;
    private static final int KEEPALIVE_ONLY_SECONDS = 10;
    /** The simulated nodes share these gRPC connections (one per node would cost the simulator, not etcd). */
    private static final int CONNECTIONS = 8;
    /** Calls in flight at once; beyond, the simulator waits (so a saturated etcd shows as latency, not as a pile-up). */
    private static final int IN_FLIGHT = 256;

    private final String endpoint;
    private final long etcdPid;
    private final int phaseSeconds;
    private final Keys keys = new Keys(PREFIX);
    private final List<Client> clients = new ArrayList<>();
    private final Random random = new Random(14);
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);

    private ClusterLoadSimulation(String endpoint, long etcdPid, int phaseSeconds) {
        this.endpoint = endpoint;
        this.etcdPid = etcdPid;
        this.phaseSeconds = phaseSeconds;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ClusterLoadSimulation <etcd endpoint> <etcd pid> <output.md> [seconds per size] [sizes]");
            System.exit(2);
        }
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        String sizes = args.length > 4 ? args[4] : "10,100,1000";
        ClusterLoadSimulation sim = new ClusterLoadSimulation(args[0], Long.parseLong(args[1]), seconds);
        try {
            String report = sim.run(sizes);
            Files.writeString(Path.of(args[2]), report);
            System.out.print(report);
        } finally {
            sim.close();
        }
        System.exit(0);
    }

    private String run(String sizes) throws Exception {
        for (int i = 0; i < CONNECTIONS; i++) {
            clients.add(Client.builder().endpoints(endpoint).build());
        }
        wipe();
        StringBuilder out = new StringBuilder();
        out.append("| nodes | keys | writes/s asked | writes/s done | raft entries/s | raft entries/s, keepalives alone | keepalives/s | "
                + "status put p50 / p99 ms | create (2 txns) p50 / p99 ms | delete (2 txns) p50 / p99 ms | `nodes/` read p50 / p99 ms | "
                + "`nodes/` read size | etcd CPU | etcd RSS | db size |\n");
        out.append("|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---:|---:|---:|---:|\n");
        for (String size : sizes.split(",")) {
            out.append(simulate(Integer.parseInt(size.trim()))).append('\n');
            wipe();
        }
        out.append('\n').append(txnOpsProbe()).append('\n');
        return out.toString();
    }

    private String simulate(int nodes) throws Exception {
        log("%d nodes: granting leases, writing status keys and %d instances per node", nodes, STEADY_INSTANCES);
        List<SimNode> sim = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            sim.add(new SimNode(String.format("gpu%04d", i), clients.get(i % CONNECTIONS)));
        }
        List<CompletableFuture<?>> setup = new ArrayList<>();
        for (SimNode n : sim) {
            setup.add(n.register());
        }
        join(setup);
        setup.clear();
        for (SimNode n : sim) {
            for (int r = 0; r < STEADY_INSTANCES; r++) {
                setup.add(n.seedInstance(r));
            }
            if (random.nextBoolean()) {
                setup.add(n.create());
            }
        }
        join(setup);
        AtomicLong keepalives = new AtomicLong();
        List<CloseableClient> streams = new ArrayList<>();
        for (SimNode n : sim) {
            streams.add(n.client.getLeaseClient().keepAlive(n.lease, counting(keepalives)));
        }

        log("%d nodes: %d s of keepalives alone", nodes, KEEPALIVE_ONLY_SECONDS);
        StatusResponse before = status();
        Thread.sleep(KEEPALIVE_ONLY_SECONDS * 1000L);
        StatusResponse afterQuiet = status();
        double quietRaftRate = (afterQuiet.getRaftIndex() - before.getRaftIndex()) / (double) KEEPALIVE_ONLY_SECONDS;

        log("%d nodes: %d s of load", nodes, phaseSeconds);
        Samples statusPuts = new Samples();
        Samples creates = new Samples();
        Samples deletes = new Samples();
        Samples nodeReads = new Samples();
        AtomicLong writes = new AtomicLong();
        AtomicLong nodesReadBytes = new AtomicLong();
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
        long keepalivesAtStart = keepalives.get();
        long cpuAtStart = etcdCpuTicks();
        long startNanos = System.nanoTime();
        for (SimNode n : sim) {
            // a status rewrite every 10 s and an instance create or delete every 30 s, each node at its own moment
            timers.scheduleAtFixedRate(() -> n.rewriteStatus(statusPuts, writes), random.nextInt(10_000), 10_000, TimeUnit.MILLISECONDS);
            timers.scheduleAtFixedRate(() -> n.cycle(creates, deletes, nodeReads, nodesReadBytes, writes),
                    random.nextInt(30_000), 30_000, TimeUnit.MILLISECONDS);
        }
        timers.scheduleAtFixedRate(() -> readNodes(nodeReads, nodesReadBytes), 0, 1, TimeUnit.SECONDS);
        Thread.sleep(phaseSeconds * 1000L);
        timers.shutdownNow();
        timers.awaitTermination(10, TimeUnit.SECONDS);
        inFlight.acquire(IN_FLIGHT);
        inFlight.release(IN_FLIGHT);
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double cpuPercent = 100.0 * (etcdCpuTicks() - cpuAtStart) / 100.0 / elapsed;
        long keepalivesDone = keepalives.get() - keepalivesAtStart;
        StatusResponse after = status();
        double raftRate = (after.getRaftIndex() - afterQuiet.getRaftIndex()) / elapsed;
        long keyCount = clients.get(0).getKVClient().get(bytes(PREFIX + "/"), GetOption.builder().isPrefix(true).withCountOnly(true).build())
                .get().getCount();
        streams.forEach(CloseableClient::close);
        List<CompletableFuture<?>> revokes = new ArrayList<>();
        for (SimNode n : sim) {
            revokes.add(n.client.getLeaseClient().revoke(n.lease));
        }
        join(revokes);

        // asked: N/10 status puts, N/60 creates (2 transactions: the intent, the record) and N/60 deletes (2: the
        // record with its intent, then dropping the intent) per second
        double asked = nodes / 10.0 + nodes / 60.0 * 4;
        long readSize = nodeReads.count() == 0 ? 0 : nodesReadBytes.get() / nodeReads.count();
        return String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f | %.1f | %.0f | %s | %s | %s | %s | %s | %.0f%% | %s | %s |",
                nodes, keyCount, asked, writes.get() / elapsed, raftRate, quietRaftRate, keepalivesDone / elapsed,
                statusPuts.summary(), creates.summary(), deletes.summary(), nodeReads.summary(), kib(readSize),
                cpuPercent, mib(etcdRssKib() * 1024), mib(after.getDbSize()));
    }

    /** A console's GET /nodes: one range read of every node's status. */
    private void readNodes(Samples samples, AtomicLong sizes) {
        long t0 = System.nanoTime();
        acquire();
        clients.get(0).getKVClient().get(bytes(keys.root() + "nodes/"), GetOption.builder().isPrefix(true).build())
                .whenComplete((r, e) -> {
                    inFlight.release();
                    if (e == null) {
                        samples.add(System.nanoTime() - t0);
                        sizes.addAndGet(r.getKvs().stream().mapToLong(kv -> kv.getKey().size() + kv.getValue().size()).sum());
                    }
                });
    }

    /**
     * Where etcd's --max-txn-ops (128 by default) bites: a create-shaped transaction with 8 GPUs, 2 ports and C cores
     * has 3 + 8 + 2 + C operations (record, version, intent dropped, one put per allocation key).
     */
    private String txnOpsProbe() throws Exception {
        StringBuilder out = new StringBuilder("| create transaction | guards | operations | etcd's answer |\n|---|---:|---:|---|\n");
        SimNode probe = new SimNode("probe", clients.get(0));
        for (int cores : new int[] {16, 115, 116}) {
            TxnResponse r;
            String answer;
            Txn t = probe.createTxn("probe" + cores, 8, 2, cores, null);
            try {
                r = t.commit().get();
                answer = r.isSucceeded() ? "committed" : "guard failed";
            } catch (Exception e) {
                answer = "refused: " + rootMessage(e);
            }
            wipe();
            out.append(String.format(Locale.ROOT, "| 8 GPUs, 2 ports, %d cores | %d | %d | %s |\n", cores, t.guards.size(), t.ops.size(), answer));
        }
        return out.toString();
    }

    private static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.getClass().getSimpleName() : m.replace('|', '/');
    }

    /** One simulated node: its lease, its status key, its instances. */
    private final class SimNode {
        final String name;
        final Client client;
        final KV kv;
        final List<String> gpus = new ArrayList<>();
        long lease;
        int statusChanges;
        /** The one instance that comes and goes; its record's mod revision while it exists. */
        long cyclingRevision;
        int cycles;

        SimNode(String name, Client client) {
            this.name = name;
            this.client = client;
            this.kv = client.getKVClient();
            for (int g = 0; g < GPUS_PER_NODE; g++) {
                gpus.add(String.format("GPU-%08x-0000-4000-8000-%012d", name.hashCode(), g));
            }
        }

        CompletableFuture<?> register() {
            return client.getLeaseClient().grant(LEASE_TTL_SECONDS).thenCompose(g -> {
                lease = g.getID();
                Txn members = new Txn(kv);
                members.put(keys.root() + "node-members/" + name, Json.write(Map.of("name", name, "advertise", advertise(),
                        "joinedAt", Instant.now().toString(), "cordoned", false)));
                return members.commit().thenCompose(x -> kv.put(bytes(statusKey()), bytes(statusJson()),
                        PutOption.builder().withLeaseId(lease).build()));
            });
        }

        String statusKey() { return keys.root() + "nodes/" + name; }

        String advertise() { return "https://" + name + ".gpu.example.org:2378"; }

        /** The NodeStatus of the design, with figures that change on each rewrite. */
        String statusJson() {
            int free = statusChanges % (GPUS_PER_NODE + 1);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", name);
            s.put("advertise", advertise());
            s.put("version", "1.4.0");
            s.put("startedAt", "2026-11-29T10:00:00.000Z");
            s.put("ready", true);
            s.put("gpus", gpus);
            s.put("gpuTotal", GPUS_PER_NODE);
            s.put("gpuFree", free);
            s.put("cpuTotal", 128);
            s.put("cpuFree", 16 * free);
            s.put("memoryTotal", 1_099_511_627_776L);
            s.put("memoryFree", 137_438_953_472L * free);
            s.put("portTotal", 25536);
            s.put("portFree", 25536 - 8 + free);
            return Json.write(s);
        }

        void rewriteStatus(Samples samples, AtomicLong writes) {
            statusChanges++;
            long t0 = System.nanoTime();
            acquire();
            kv.put(bytes(statusKey()), bytes(statusJson()), PutOption.builder().withLeaseId(lease).build()).whenComplete((r, e) -> {
                inFlight.release();
                if (e == null) {
                    samples.add(System.nanoTime() - t0);
                    writes.incrementAndGet();
                }
            });
        }

        /** Every 30 s: the cycling instance is deleted if it exists, else placed and created. */
        void cycle(Samples creates, Samples deletes, Samples reads, AtomicLong readBytes, AtomicLong writes) {
            acquire();
            CompletableFuture<?> step;
            if (cyclingRevision != 0) {
                long t0 = System.nanoTime();
                step = delete(cyclingName()).thenAccept(ok -> {
                    deletes.add(System.nanoTime() - t0);
                    writes.addAndGet(2);
                    cyclingRevision = 0;
                });
            } else {
                long r0 = System.nanoTime();
                step = kv.get(bytes(keys.root() + "nodes/"), GetOption.builder().isPrefix(true).build()).thenCompose(r -> {
                    reads.add(System.nanoTime() - r0);
                    readBytes.addAndGet(r.getKvs().stream().mapToLong(k -> k.getKey().size() + k.getValue().size()).sum());
                    cycles++;
                    long t0 = System.nanoTime();
                    return create().thenAccept(ok -> {
                        creates.add(System.nanoTime() - t0);
                        writes.addAndGet(2);
                    });
                });
            }
            step.whenComplete((x, e) -> {
                inFlight.release();
                if (e != null) {
                    log("node %s: %s", name, rootMessage(e));
                }
            });
        }

        String cyclingName() { return name + "c" + cycles; }

        /** A steady instance with its versions kept: record, versions and allocation keys, written in one go. */
        CompletableFuture<?> seedInstance(int index) {
            String rs = name + "s" + index;
            List<String> held = gpus.subList(index * GPUS_PER_INSTANCE, (index + 1) * GPUS_PER_INSTANCE);
            Txn t = new Txn(kv);
            t.put(keys.replicaSets().record(rs), Json.write(record(rs, VERSIONS_KEPT, held, index)));
            for (int v = 1; v <= VERSIONS_KEPT; v++) {
                t.put(keys.replicaSets().version(rs, v), Json.write(version(rs, v, held, index)));
            }
            claims(t, rs, held, index, 1);
            return t.commit();
        }

        /** A create as the service makes it: the intent on its own, then record, version 1 and allocations in one transaction. */
        CompletableFuture<Boolean> create() {
            String rs = cyclingName();
            Intent op = Intent.start(Intent.REPLICASET, "create", rs, 1);
            Txn intent = new Txn(kv).requireValue(keys.cluster(), "bench").requireAbsent(keys.operation(op.id()))
                    .put(keys.operation(op.id()), Json.write(op));
            return intent.commit().thenCompose(i -> createTxn(rs, GPUS_PER_INSTANCE, 1, CORES_PER_INSTANCE, op).commit()).thenApply(r -> {
                cyclingRevision = r.getHeader().getRevision();
                return r.isSucceeded();
            });
        }

        Txn createTxn(String rs, int gpuCount, int portCount, int coreCount, Intent op) {
            List<String> held = gpus.subList(GPUS_PER_NODE - Math.min(gpuCount, GPUS_PER_NODE), GPUS_PER_NODE);
            Txn t = new Txn(kv).requireAbsent(keys.replicaSets().record(rs)).requireAbsent(keys.replicaSets().version(rs, 1))
                    .put(keys.replicaSets().record(rs), Json.write(record(rs, 1, held, STEADY_INSTANCES)))
                    .put(keys.replicaSets().version(rs, 1), Json.write(version(rs, 1, held, STEADY_INSTANCES)))
                    .delete(keys.operation(op == null ? "none" : op.id()));
            for (String gpu : held) {
                t.requireAbsent(keys.gpu(gpu)).put(keys.gpu(gpu), rs);
            }
            for (int p = 0; p < portCount; p++) {
                String key = keys.root() + "ports/" + name + "/" + (40000 + STEADY_INSTANCES * 100 + p);
                t.requireAbsent(key).put(key, rs);
            }
            for (int c = 0; c < coreCount; c++) {
                String key = keys.root() + "cpus/" + name + "/" + (STEADY_INSTANCES * CORES_PER_INSTANCE + c);
                t.requireAbsent(key).put(key, rs);
            }
            return t;
        }

        /** A delete as the service makes it: record, versions and allocations gone with the intent written; then the intent dropped. */
        CompletableFuture<Boolean> delete(String rs) {
            Intent op = Intent.deleting(Intent.REPLICASET, rs, 1, List.of("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
            List<String> held = gpus.subList(GPUS_PER_NODE - GPUS_PER_INSTANCE, GPUS_PER_NODE);
            Txn t = new Txn(kv).requireModRevision(keys.replicaSets().record(rs), cyclingRevision)
                    .requireValue(keys.cluster(), "bench").requireAbsent(keys.operation(op.id()))
                    .delete(keys.replicaSets().record(rs)).deletePrefix(keys.replicaSets().versionsOf(rs))
                    .put(keys.operation(op.id()), Json.write(op));
            held.forEach(g -> t.delete(keys.gpu(g)));
            t.delete(keys.root() + "ports/" + name + "/" + (40000 + STEADY_INSTANCES * 100));
            for (int c = 0; c < CORES_PER_INSTANCE; c++) {
                t.delete(keys.root() + "cpus/" + name + "/" + (STEADY_INSTANCES * CORES_PER_INSTANCE + c));
            }
            return t.commit().thenCompose(r -> new Txn(kv).delete(keys.operation(op.id())).commit().thenApply(x -> r.isSucceeded()));
        }

        private void claims(Txn t, String rs, List<String> held, int index, int ports) {
            held.forEach(g -> t.requireAbsent(keys.gpu(g)).put(keys.gpu(g), rs));
            for (int p = 0; p < ports; p++) {
                t.put(keys.root() + "ports/" + name + "/" + (40000 + index * 100 + p), rs);
            }
            for (int c = 0; c < CORES_PER_INSTANCE; c++) {
                t.put(keys.root() + "cpus/" + name + "/" + (index * CORES_PER_INSTANCE + c), rs);
            }
        }

        private ReplicaSetRecord record(String rs, long version, List<String> held, int index) {
            Instant now = Instant.now();
            return new ReplicaSetRecord(rs, version, ReplicaSetState.RUNNING, held, Map.of("22", 40000 + index * 100), now, now,
                    "tenant" + (index % 7), cores(index), 137_438_953_472L, name);
        }

        private ReplicaSetVersion version(String rs, long v, List<String> held, int index) {
            ReplicaSetSpec spec = new ReplicaSetSpec("nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04", held.size(),
                    List.of(new Bind(rs + "data", "/root/" + rs + "-tmp"), new Bind("/nfs/share", "/root/" + rs + "-fs")),
                    List.of("TZ=Asia/Shanghai", "JUPYTER_TOKEN=0123456789abcdef", "LANG=C.UTF-8"),
                    List.of("/bin/bash", "-c", "service ssh start && jupyter lab --allow-root --ip=0.0.0.0"),
                    List.of("22", "8888"), null, null, null, true);
            return new ReplicaSetVersion(rs, v, rs + "-" + v, Instant.now(), v == 1 ? "create" : "patch", spec, held,
                    Map.of("22", 40000 + index * 100), cores(index), 137_438_953_472L, 8_589_934_592L);
        }

        private List<Integer> cores(int index) {
            List<Integer> cores = new ArrayList<>();
            for (int c = 0; c < CORES_PER_INSTANCE; c++) {
                cores.add(index * CORES_PER_INSTANCE + c);
            }
            return cores;
        }
    }

    /** An etcd transaction built as the service's {@code Txn} builds one, keeping its guards and operations countable. */
    private static final class Txn {
        final KV kv;
        final List<Cmp> guards = new ArrayList<>();
        final List<Op> ops = new ArrayList<>();

        Txn(KV kv) { this.kv = kv; }

        Txn requireAbsent(String key) { guards.add(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.version(0))); return this; }

        Txn requireValue(String key, String value) { guards.add(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.value(bytes(value)))); return this; }

        Txn requireModRevision(String key, long rev) { guards.add(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(rev))); return this; }

        Txn put(String key, String value) { ops.add(Op.put(bytes(key), bytes(value), PutOption.DEFAULT)); return this; }

        Txn delete(String key) { ops.add(Op.delete(bytes(key), DeleteOption.DEFAULT)); return this; }

        Txn deletePrefix(String prefix) { ops.add(Op.delete(bytes(prefix), DeleteOption.builder().isPrefix(true).build())); return this; }

        CompletableFuture<TxnResponse> commit() {
            return kv.txn().If(guards.toArray(Cmp[]::new)).Then(ops.toArray(Op[]::new)).commit();
        }
    }

    /** Latencies of one kind of call, in nanoseconds. */
    private static final class Samples {
        private final ConcurrentLinkedQueue<Long> values = new ConcurrentLinkedQueue<>();

        void add(long nanos) { values.add(nanos); }

        long count() { return values.size(); }

        String summary() {
            List<Long> sorted = new ArrayList<>(values);
            if (sorted.isEmpty()) {
                return "none";
            }
            Collections.sort(sorted);
            return String.format(Locale.ROOT, "%.1f / %.1f (%d)", at(sorted, 0.50) / 1e6, at(sorted, 0.99) / 1e6, sorted.size());
        }

        private static long at(List<Long> sorted, double q) {
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
        }
    }

    private StreamObserver<LeaseKeepAliveResponse> counting(AtomicLong count) {
        return new StreamObserver<>() {
            @Override public void onNext(LeaseKeepAliveResponse value) { count.incrementAndGet(); }

            @Override public void onError(Throwable t) { log("keepalive: %s", rootMessage(t)); }

            @Override public void onCompleted() { }
        };
    }

    private void acquire() {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private StatusResponse status() throws Exception {
        return clients.get(0).getMaintenanceClient().statusMember(endpoint).get(10, TimeUnit.SECONDS);
    }

    private void wipe() throws Exception {
        KV kv = clients.get(0).getKVClient();
        kv.delete(bytes(PREFIX + "/"), DeleteOption.builder().isPrefix(true).build()).get(30, TimeUnit.SECONDS);
        kv.put(bytes(keys.cluster()), bytes("bench")).get(10, TimeUnit.SECONDS);
    }

    /** utime + stime of etcd, in clock ticks (100 per second on Linux). */
    private long etcdCpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + etcdPid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private long etcdRssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + etcdPid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }

    private void close() {
        clients.forEach(Client::close);
    }

    private static void join(List<CompletableFuture<?>> futures) {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
    }

    private static ByteSequence bytes(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    private static String kib(long bytes) { return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0); }

    private static String mib(long bytes) { return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0); }

    private static void log(String format, Object... args) {
        System.err.println("bench-cluster-limits: " + String.format(Locale.ROOT, format, args));
    }
}
