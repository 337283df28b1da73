package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * The crash matrix of moves: two nodes as MoveIT starts them, one instance with a volume moved back and forth, each
 * move cut at a random moment (a random delay after the request, or a random delay after the move reaches a random
 * step of its progress) by a SIGKILL of its source node, of its target node (each started again), or of etcd
 * (started again on its data). Once both nodes are up again the instance must be wholly moved or wholly where it was,
 * and: running on exactly one node, as the record's version; its files in the system disk and in the volume as
 * written; its GPU, ports and cores held once, by allocation keys of its node only, and no allocation key left that it
 * does not account for; no container or volume version of the move left beyond what the record says; no intent left;
 * the volume's record on the instance's node. Excluded from the default integration run: {@code make chaos-move}
 * runs it; {@code -Dchaos.rounds} and {@code -Dchaos.seed} (or CHAOS_MOVE_ROUNDS and CHAOS_MOVE_SEED) choose the run;
 * a failing seed reproduces the same sequence of faults and moments.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MoveChaosIT {
    private static final String PREFIX = "/gpu-docker-api-move-chaos-it";
    private static final String KEYS = PREFIX + "/apis/v1/";
    private static final String ADMIN = IntegrationTestBase.ADMIN_TOKEN;
    private static final String NODE2_GPU = "GPU-00000000-0000-4000-8000-1";
    private static final long DEFAULT_SEED = 20261204L;
    private static final String SOURCE = "source";
    private static final String TARGET = "target";
    private static final String ETCD = "etcd";
    private static final List<String> FAULTS = List.of(SOURCE, TARGET, ETCD);
    /** The steps a move's progress goes through (MoveOut), each a moment a fault may wait for. */
    private static final List<String> STEPS = List.of("taking resources", "stopping", "copying", "starting", "recording");
    private static final String TEST_DIR = System.getenv().getOrDefault("GDA_TEST_DIR", "/tmp/gda-test");
    /** The keys an instance, a volume and a move write; none may be left once both are deleted. */
    private static final List<String> HELD = List.of("replicasets/", "replicaset-versions/", "volumes/", "volume-versions/", "gpus/", "ports/", "cpus/",
            "operations/", "moved-away/");
    private static final String SUMS = "sha256sum /root/own /data/rand /data/bulk";

    private final Map<String, String> env = System.getenv();
    private final String etcd = env.getOrDefault("GDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379");
    private final Map<String, String> engines = Map.of(
            "a", env.getOrDefault("GDA_DOCKER_HOST", "unix:///tmp/gda-test/docker.sock"),
            "b", env.getOrDefault("GDA_NODE2_DOCKER_HOST", "unix:///tmp/gda-test/node2/docker.sock"));
    private final Map<String, ServiceProcess> processes = new HashMap<>();
    private final Map<String, Integer> httpPorts = new HashMap<>();
    private final Map<String, Api> apis = new HashMap<>();
    private final ExecutorService caller = Executors.newSingleThreadExecutor();
    private String portRange;

    @BeforeAll
    void startBothNodes() throws Exception {
        wipe();
        FileSystemUtils.deleteRecursively(Path.of("target", "move-chaos-it"));
        portRange = env.getOrDefault("GDA_IT_CLUSTER_PORTS", "47000-47399");
        for (String node : List.of("a", "b")) {
            int port = ServiceProcess.freePort();
            httpPorts.put(node, port);
            apis.put(node, new Api("http://127.0.0.1:" + port + "/api/v1", ADMIN));
            start(node);
        }
        awaitBothUp();
    }

    @AfterAll
    void stopBothNodesAndWipe() throws Exception {
        caller.shutdownNow();
        for (ServiceProcess p : processes.values()) {
            p.close();
        }
        wipe();
    }

    @Test
    void movesCutByFaultsAtRandomMomentsKeepEveryInvariant() throws Exception {
        int rounds = Integer.parseInt(setting("chaos.rounds", "CHAOS_MOVE_ROUNDS", "12"));
        long seed = Long.parseLong(setting("chaos.seed", "CHAOS_MOVE_SEED", Long.toString(DEFAULT_SEED)));
        System.out.printf("chaos-move: seed %d, %d rounds (rerun with CHAOS_MOVE_SEED=%d CHAOS_MOVE_ROUNDS=%d make chaos-move)%n", seed, rounds, seed, rounds);
        Random random = new Random(seed);
        String tag = Long.toString(Math.abs(seed) % 100000, 36);
        String vol = "mcv" + tag;
        String name = "mc" + tag;
        Api a = apis.get("a");
        assertThat(a.post("/volumes", Map.of("name", vol, "node", "a")).status()).isEqualTo(200);
        Map<String, Object> body = new HashMap<>();
        body.put("imageName", IntegrationTestBase.IMAGE);
        body.put("replicaSetName", name);
        body.put("gpuCount", 1);
        body.put("cmd", IntegrationTestBase.SLEEP);
        body.put("node", "a");
        body.put("containerPorts", List.of("8000"));
        body.put("binds", List.of(Map.of("src", vol + "-1", "dest", "/data")));
        Api.Reply created = a.post("/replicaSet", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        // a system-disk file, a random volume file, and enough volume data that the copy is a step one can land in
        exec(a, name, "head -c 2000000 /dev/urandom > /root/own && head -c 2000000 /dev/urandom > /data/rand && head -c 300000000 /dev/zero > /data/bulk");
        String sums = exec(a, name, SUMS);

        Where at = new Where("a", 1, 1);
        // which node made each version: a rollback across nodes goes back to the newest version on the other node
        Map<Long, String> madeOn = new HashMap<>(Map.of(1L, "a"));
        long started = System.nanoTime();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int round = 1; round <= rounds; round++) {
            String source = at.node();
            // one round in three, once the other node holds a version: a rollback to it, which moves the instance there
            Long back = random.nextInt(3) == 0 ? madeOn.entrySet().stream().filter(e -> !e.getValue().equals(source))
                    .map(Map.Entry::getKey).max(Long::compare).orElse(null) : null;
            String target = source.equals("a") ? "b" : "a";
            String fault = FAULTS.get(random.nextInt(FAULTS.size()));
            String step = random.nextBoolean() ? STEPS.get(random.nextInt(STEPS.size())) : null;
            int delay = step == null ? random.nextInt(4001) : random.nextInt(301);
            String moment = (step == null ? "" : "step '" + step + "' + ") + delay + " ms";
            String victim = switch (fault) {
                case SOURCE -> source;
                case TARGET -> target;
                default -> ETCD;
            };

            // one round in four kills after the answer (0-300 ms after), so that moves also commit, go both ways and are
            // then cut in what follows a commit (the target's settle, the source's bookkeeping)
            boolean afterAnswer = random.nextInt(4) == 0;
            if (afterAnswer) {
                step = null;
                delay = random.nextInt(301);
                moment = delay + " ms after the answer";
            }
            Api via = apis.get(source);
            String what = back == null ? "move " + source + " -> " + target : "rollback to " + back + " (" + source + " -> " + target + ")";
            Future<Api.Reply> move = caller.submit(() -> back == null ? via.post("/replicaSet/" + name + "/move", Map.of("node", target))
                    : via.patch("/replicaSet/" + name + "/rollback", Map.of("version", back)));
            if (afterAnswer) {
                awaitAnswer(move);
            } else if (step != null) {
                // a rollback's first step makes the new version there rather than only taking resources
                awaitStep(via, name, back != null && step.equals("taking resources") ? "making version" : step, move);
            }
            Thread.sleep(delay);
            if (victim.equals(ETCD)) {
                rig("restart-etcd");
            } else {
                processes.get(victim).kill();
            }
            Api.Reply answer = awaitAnswer(move);
            if (!victim.equals(ETCD)) {
                start(victim);
            }
            awaitBothUp();
            String outcome = answer == null ? "no answer" : Integer.toString(answer.status());
            String context = "seed " + seed + ", round " + round + ": " + what + ", " + fault + " (" + victim + ") killed at " + moment
                    + ", " + outcome;
            System.out.printf("chaos-move: round %d: %s, SIGKILL %s (%s) at %s, answer %s%n", round, what, fault, victim, moment, outcome);

            Where moved = new Where(target, at.version() + 1, at.volumeVersion() + 1);
            Where now = settled(name, vol, at, moved, context);
            if (answer != null && answer.status() == 200) {
                assertThat(now).as("acknowledged move done: %s", context).isEqualTo(moved);
            } else if (answer != null && answer.status() >= 400 && answer.status() < 500) {
                assertThat(now).as("refused move changed nothing: %s: %s", context, answer).isEqualTo(at);
            }
            at = now;
            madeOn.put(now.version(), now.node());
            outcomes.merge((back == null ? "move, " : "rollback, ") + fault + (now.equals(moved) ? " moved" : " stayed"), 1, Integer::sum);
            checkInvariants(name, vol, at, sums, context);
        }
        System.out.printf("chaos-move: done: %d rounds, seed %d, %d s, every invariant held; %s%n", rounds, seed,
                Duration.ofNanos(System.nanoTime() - started).toSeconds(), outcomes);
        assertThat(a.delete("/replicaSet/" + name).status()).isEqualTo(200);
        assertThat(a.delete("/volumes/" + vol).status()).isEqualTo(200);
        awaitTrue(() -> containers("a", name).isEmpty() && containers("b", name).isEmpty() && volumes("a").isEmpty() && volumes("b").isEmpty()
                && HELD.stream().allMatch(kind -> etcdKeys(KEYS + kind).isEmpty()),
                () -> "the instance, its volume and everything they held gone: " + HELD.stream().flatMap(kind -> etcdKeys(KEYS + kind).stream()).toList(),
                Duration.ofSeconds(60));
    }

    /** Where the instance is: its node, its version, its volume's version. */
    private record Where(String node, long version, long volumeVersion) {}

    /** Where the record says the instance is, once it is one of the two outcomes a move may have (waits out the recovery's sweeps). */
    private Where settled(String name, String vol, Where before, Where after, String context) throws InterruptedException {
        Where[] seen = new Where[1];
        awaitTrue(() -> {
            JsonNode r = apis.get("a").get("/replicaSet/" + name).data();
            JsonNode v = apis.get("a").get("/volumes/" + vol).data();
            Where w = new Where(r.path("node").asString(), r.path("version").asLong(), v.path("version").asLong());
            seen[0] = w;
            return r.path("progress").isMissingNode() || r.path("progress").isNull() ? (w.equals(before) || w.equals(after)) && v.path("node").asString().equals(w.node())
                    : false;
        }, () -> "the move wholly done or wholly undone: " + context + ": " + seen[0], Duration.ofSeconds(120));
        return seen[0];
    }

    private void checkInvariants(String name, String vol, Where at, String sums, String context) throws InterruptedException {
        String other = at.node().equals("a") ? "b" : "a";
        String current = name + "-" + at.version();
        // a target whose source's abort did not reach it (etcd down: the source cannot look its address up) gives the move
        // up after MoveConfig.IDLE_LIMIT (2 min) without a call: the waits below outlast it
        awaitTrue(() -> etcdKeys(KEYS + "operations/").isEmpty(), () -> "every intent dropped: " + context + ": " + etcdKeys(KEYS + "operations/"),
                Duration.ofSeconds(150));
        awaitTrue(() -> running(at.node(), name).equals(List.of(current)) && running(other, name).isEmpty(),
                () -> "runs exactly " + current + " on " + at.node() + ": " + context + ": " + running("a", name) + " / " + running("b", name), Duration.ofSeconds(150));
        // what a failed move made is removed by its target (at once, at its restart, or within a sweep)
        awaitTrue(() -> leftovers(name, vol, at).isEmpty(), () -> "nothing of the move beyond the record: " + context + ": " + leftovers(name, vol, at),
                Duration.ofSeconds(150));
        awaitTrue(() -> etcdKeys(KEYS + "moved-away/").stream().allMatch(k -> k.equals(KEYS + "moved-away/" + other + "/" + name)),
                () -> "no moved-away key of the node it is on: " + context + ": " + etcdKeys(KEYS + "moved-away/"), Duration.ofSeconds(30));

        JsonNode r = apis.get(other).get("/replicaSet/" + name).data();
        assertThat(r.path("state").asString()).as("state: %s", context).isEqualTo("running");
        assertThat(r.path("containerName").asString()).as("container: %s", context).isEqualTo(current);
        assertThat(exec(apis.get(other), name, SUMS)).as("files in the system disk and the volume: %s", context).isEqualTo(sums);
        assertThat(apis.get("a").get("/volumes/" + vol).data().path("node").asString()).as("volume's node: %s", context).isEqualTo(at.node());

        // held once, on its node only, and nothing held that the record does not account for
        List<String> gpus = new ArrayList<>();
        r.path("gpus").forEach(g -> gpus.add(g.asString()));
        assertThat(gpus).as("GPUs of the record: %s", context).hasSize(1).allMatch(g -> at.node().equals("b") == g.startsWith(NODE2_GPU));
        // the allocation keys only: their values are single names (other keys hold JSON that may span lines)
        Map<String, String> held = new TreeMap<>();
        for (String kind : List.of("gpus/", "ports/", "cpus/")) {
            etcdValues(KEYS + kind).forEach((k, v) -> held.put(kind + k, v));
        }
        Map<String, String> expected = new TreeMap<>();
        gpus.forEach(g -> expected.put("gpus/" + g, name));
        r.path("ports").properties().forEach(p -> expected.put("ports/" + at.node() + "/" + p.getValue().asInt(), name));
        Map<String, String> allocations = new TreeMap<>();
        held.forEach((k, v) -> {
            if (k.startsWith("gpus/") || k.startsWith("ports/")) {
                allocations.put(k, v);
            }
        });
        assertThat(allocations).as("GPU and port keys = the record's: %s", context).isEqualTo(expected);
        assertThat(held.keySet()).as("cores held on the other node: %s", context).noneMatch(k -> k.startsWith("cpus/" + other + "/"));
        assertThat(held.entrySet()).as("cores held by anything else: %s", context)
                .allMatch(e -> !e.getKey().startsWith("cpus/") || name.equals(e.getValue()));
    }

    /**
     * Containers and volume versions of the instance that its record does not account for: any of a version above the
     * record's, the record's own anywhere but on its node, and (for a volume) any version above the volume record's.
     */
    private List<String> leftovers(String name, String vol, Where at) {
        List<String> out = new ArrayList<>();
        for (String node : List.of("a", "b")) {
            for (String c : containers(node, name)) {
                long v = Long.parseLong(c.substring(c.lastIndexOf('-') + 1));
                if (v > at.version() || v == at.version() && !node.equals(at.node())) {
                    out.add("container " + c + " on " + node);
                }
            }
            for (String v : volumes(node)) {
                long version = Long.parseLong(v.substring(v.lastIndexOf('-') + 1));
                if (!v.startsWith(vol + "-") || version > at.volumeVersion() || version == at.volumeVersion() && !node.equals(at.node())) {
                    out.add("volume " + v + " on " + node);
                }
            }
        }
        return out;
    }

    /** Waits until the move's progress shows {@code step} (or the move has answered: the step passed unseen). */
    private static void awaitStep(Api via, String name, String step, Future<Api.Reply> move) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!move.isDone() && System.nanoTime() < deadline) {
            try {
                if (via.get("/replicaSet/" + name).data().path("progress").path("step").asString("").startsWith(step)) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // the call is running; ask again
            }
            Thread.sleep(10);
        }
    }

    private static Api.Reply awaitAnswer(Future<Api.Reply> reply) throws Exception {
        try {
            return reply.get(180, TimeUnit.SECONDS);
        } catch (ExecutionException connectionDropped) {
            return null; // the node that ran it died under the call
        }
    }

    // ---- the two nodes and the rig ------------------------------------------------------------------

    private void start(String node) throws IOException {
        String nvidiaSmi = node.equals("a") ? env.getOrDefault("GDA_GPU_NVIDIA_SMI", "nvidia-smi") : env.getOrDefault("GDA_NODE2_NVIDIA_SMI", "nvidia-smi");
        int port = httpPorts.get(node);
        List<String> flags = ServiceProcess.rigFlags(port, engines.get(node), nvidiaSmi, ADMIN,
                "--node-name", node, "--advertise", "http://127.0.0.1:" + port, "--gda.node.lease-ttl=4s", "--gda.reconcile.period=3s",
                "--gda.state-dir=" + Path.of("target", "move-chaos-it", node).toAbsolutePath());
        processes.put(node, ServiceProcess.start("move-chaos-it-" + node, PREFIX, portRange, flags));
    }

    /** Both nodes answer and each sees both up (a node killed in the round may still be starting). */
    private void awaitBothUp() throws InterruptedException {
        for (String node : List.of("a", "b")) {
            Api api = apis.get(node);
            processes.get(node).awaitUp(() -> api.get("/whoami").status() == 200);
        }
        awaitTrue(() -> {
            for (Api via : apis.values()) {
                long up = 0;
                for (JsonNode n : via.get("/nodes").data()) {
                    up += n.path("state").asString().equals("up") ? 1 : 0;
                }
                if (up != 2) {
                    return false;
                }
            }
            return true;
        }, "both nodes up, as each sees them", Duration.ofSeconds(120));
    }

    private static void rig(String command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("scripts", "test-env.sh").toString(), command).inheritIO();
        pb.environment().put("GDA_TEST_DIR", TEST_DIR);
        assertThat(pb.start().waitFor()).as("scripts/test-env.sh %s", command).isZero();
    }

    private String exec(Api via, String name, String script) {
        Api.Reply r = via.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("sh", "-c", script)));
        assertThat(r.status()).as("exec in %s: %s", name, r).isEqualTo(200);
        assertThat(r.data().path("exitCode").asLong()).as("exit code of '%s': %s", script, r).isZero();
        return r.data().path("stdout").asString();
    }

    private List<String> containers(String node, String name) {
        return lines(RigShell.docker(engines.get(node), "ps", "-a", "--format", "{{.Names}}",
                "--filter", "label=io.gpudocker.owner=" + PREFIX, "--filter", "label=io.gpudocker.replicaset=" + name));
    }

    private List<String> running(String node, String name) {
        return lines(RigShell.docker(engines.get(node), "ps", "--format", "{{.Names}}",
                "--filter", "label=io.gpudocker.owner=" + PREFIX, "--filter", "label=io.gpudocker.replicaset=" + name));
    }

    private List<String> volumes(String node) {
        return lines(RigShell.docker(engines.get(node), "volume", "ls", "-q", "--filter", "label=io.gpudocker.owner=" + PREFIX));
    }

    private static List<String> lines(String out) {
        return out.isBlank() ? List.of() : List.of(out.trim().split("\n"));
    }

    private List<String> etcdKeys(String prefix) {
        return RigShell.etcdKeys(etcd, prefix);
    }

    /** Key (less {@code prefix}) to value. */
    private Map<String, String> etcdValues(String prefix) {
        List<String> lines = RigShell.run(Map.of("ETCDCTL_API", "3"), "etcdctl", "--endpoints", etcd, "get", "--prefix", prefix).lines().toList();
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            m.put(lines.get(i).substring(prefix.length()), lines.get(i + 1));
        }
        return m;
    }

    private void wipe() {
        RigShell.wipe(etcd, engines, PREFIX);
    }

    private static String setting(String property, String env, String fallback) {
        String p = System.getProperty(property);
        if (p != null && !p.isBlank()) {
            return p.trim();
        }
        String e = System.getenv(env);
        return e != null && !e.isBlank() ? e.trim() : fallback;
    }

    private static void awaitTrue(BooleanSupplier condition, String what, Duration limit) throws InterruptedException {
        awaitTrue(condition, () -> what, limit);
    }

    /** As above, the message made when it fails (with what was seen last). */
    private static void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> what, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException | AssertionError notYet) {
                // etcd or a node still coming back
            }
            Thread.sleep(250);
        }
        boolean last;
        try {
            last = condition.getAsBoolean();
        } catch (RuntimeException e) {
            throw new AssertionError(what.get() + " within " + limit + ": " + e, e);
        }
        assertThat(last).as(what.get() + " within " + limit).isTrue();
    }
}
