package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.store.Txn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The crash matrix: a seeded loop of rounds, each starting one random mutating call on the service (a separate
 * JVM running the real main class) and, at a random moment, killing it with SIGKILL (then starting it again),
 * killing etcd with SIGKILL and starting it again, or stopping dockerd (SIGSTOP) for up to 4 s; then checking that every acknowledged change is there, an unacknowledged one is either wholly done or wholly
 * undone, nothing is held twice or by nobody, nothing managed is left that no record accounts for, and the files
 * written before an update are still there after it. Excluded from the default integration run: {@code make chaos}
 * (or {@code -Dit.test=ChaosIT}) runs it; {@code -Dchaos.rounds} and {@code -Dchaos.seed} (or CHAOS_ROUNDS and
 * CHAOS_SEED) choose how many rounds and which sequence; a failing seed reproduces.
 */
class ChaosIT extends IntegrationTestBase {
    private static final String PREFIX = "/gpu-docker-api-chaos-it";
    private static final String PORTS = System.getenv().getOrDefault("GDA_IT_CHAOS_PORTS", "47500-47999");
    private static final long DEFAULT_SEED = 20261129L;
    private static final int MAX_REPLICASETS = 4;
    private static final int MAX_VOLUMES = 3;
    private static final String SIGKILL = "service";
    private static final String ETCD = "etcd";
    private static final String DOCKERD = "dockerd";
    /** Half the rounds kill the service, a quarter each etcd and dockerd. */
    private static final List<String> FAULTS = List.of(SIGKILL, SIGKILL, ETCD, DOCKERD);
    private static final String TEST_DIR = System.getenv().getOrDefault("GDA_TEST_DIR", "/tmp/gda-test");

    private ServiceProcess service;
    private Api chaos;
    private final ExecutorService caller = Executors.newSingleThreadExecutor();

    /** What the test knows of one replicaset: its version, its recorded state, and the files each version's disk holds. */
    private record Rs(long version, String state, Map<Long, Map<String, String>> files) {
        Rs next(long fromVersion) {
            Map<Long, Map<String, String>> f = new HashMap<>(files);
            f.put(version + 1, Map.copyOf(files.getOrDefault(fromVersion, Map.of())));
            return new Rs(version + 1, "running", f);
        }

        Rs withState(String s) {
            return new Rs(version, s, files);
        }

        /** What the service can be asked about: version and state. */
        String seen() {
            return version + "/" + state;
        }
    }

    /** Every replicaset and volume the test believes exist. */
    private record Model(Map<String, Rs> replicaSets, Map<String, Long> volumes) {
        Model copy() {
            return new Model(new TreeMap<>(replicaSets), new TreeMap<>(volumes));
        }

        Map<String, String> seen() {
            Map<String, String> m = new TreeMap<>();
            replicaSets.forEach((k, v) -> m.put("replicaset " + k, v.seen()));
            volumes.forEach((k, v) -> m.put("volume " + k, Long.toString(v)));
            return m;
        }
    }

    /** One round's call: what it sends and what the model looks like if it took effect. */
    private record Step(String what, Supplier<Api.Reply> call, Model after) {}

    @BeforeEach
    void clean() {
        removeEverythingUnderPrefix();
    }

    @AfterEach
    void tearDown() throws Exception {
        caller.shutdownNow();
        if (service != null) {
            service.kill();
        }
        removeEverythingUnderPrefix();
        assertThat(engine.listByLabels(ManagedLabels.owner(PREFIX))).isEmpty();
        assertThat(volumeEngine.listVolumesByLabels(ManagedLabels.owner(PREFIX))).isEmpty();
    }

    private void removeEverythingUnderPrefix() {
        engine.listByLabels(ManagedLabels.owner(PREFIX)).forEach(c -> engine.remove(c.id()));
        volumeEngine.listVolumesByLabels(ManagedLabels.owner(PREFIX)).forEach(v -> volumeEngine.removeVolume(v.name()));
        store.commit(new Txn().deletePrefix(PREFIX + "/"));
    }

    @Test
    void faultsAtRandomMomentsKeepEveryInvariant() throws Exception {
        int rounds = Integer.parseInt(setting("chaos.rounds", "CHAOS_ROUNDS", "30"));
        long seed = Long.parseLong(setting("chaos.seed", "CHAOS_SEED", Long.toString(DEFAULT_SEED)));
        System.out.printf("chaos: seed %d, %d rounds (rerun with -Dchaos.seed=%d -Dchaos.rounds=%d)%n", seed, rounds, seed, rounds);
        Random random = new Random(seed);
        String tag = Long.toString(Math.abs(seed) % 100000, 36);
        long started = System.nanoTime();
        Map<String, Integer> acknowledged = new TreeMap<>();
        Map<String, Integer> interrupted = new TreeMap<>();
        Map<String, Integer> faults = new TreeMap<>();
        Model model = new Model(new TreeMap<>(), new TreeMap<>());
        startService();

        for (int round = 1; round <= rounds; round++) {
            Step step = pick(random, model, round, tag);
            Model before = model.copy();
            if (step.what().startsWith("patch")) {
                // the files an update must carry over, written on the system disk first
                before = writeFiles(before, step, random, round);
            }
            final Model beforeCall = before;
            Model after = step.what().startsWith("patch") ? withFilesOf(step.after(), beforeCall) : step.after();
            int delay = random.nextInt(1501);
            String fault = FAULTS.get(random.nextInt(FAULTS.size()));
            int held = random.nextInt(4001);
            // one round in three lets the call answer first, so that every kind of call is also acknowledged
            // (a create takes longer than the longest delay here) and what exists grows
            boolean afterAnswer = random.nextInt(3) == 0;
            Future<Api.Reply> reply = caller.submit(step.call()::get);
            if (afterAnswer) {
                awaitAnswer(reply);
            }
            Thread.sleep(delay);
            String what = inject(fault, held);
            Api.Reply answer = awaitAnswer(reply);
            String outcome = answer == null ? "no answer" : Integer.toString(answer.status());
            System.out.printf("chaos: round %d: %s, %s %d ms after the %s, %s%n", round, step.what(), what, delay,
                    afterAnswer ? "answer" : "request", outcome);
            if (fault.equals(SIGKILL)) {
                startService();
            }
            faults.merge(fault, 1, Integer::sum);
            awaitTrue(() -> chaos.get("/replicaSet").status() == 200, "the service answers again after " + what);

            Model actual = observe();
            String context = "seed " + seed + ", round " + round + ", " + step.what() + " (" + outcome + ")";
            Model now;
            if (answer != null && answer.status() == 200) {
                assertThat(actual.seen()).as("acknowledged change present: %s", context).isEqualTo(after.seen());
                now = after;
                acknowledged.merge(kind(step), 1, Integer::sum);
            } else if (answer != null && answer.status() >= 400 && answer.status() < 500) {
                assertThat(actual.seen()).as("refused call changed nothing: %s: %s", context, answer).isEqualTo(beforeCall.seen());
                now = beforeCall;
            } else {
                assertThat(actual.seen()).as("interrupted call wholly done or wholly undone: %s", context)
                        .isIn(beforeCall.seen(), after.seen());
                now = actual.seen().equals(after.seen()) ? after : beforeCall;
                interrupted.merge(kind(step), 1, Integer::sum);
            }
            model = now;
            checkInvariants(model, context);
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        System.out.printf("chaos: done: %d rounds, seed %d, %d s, every invariant held; faults %s; acknowledged %s, interrupted %s%n",
                rounds, seed, seconds, faults, acknowledged, interrupted);
    }

    /**
     * The fault of one round: the service SIGKILLed (restarted after the answer), etcd SIGKILLed and started
     * again on its data, or dockerd stopped (SIGSTOP) for {@code held} ms and continued. The last two happen
     * under the running service, whose periodic reconcile repairs what they leave.
     */
    private String inject(String fault, int held) throws Exception {
        switch (fault) {
            case SIGKILL -> service.kill();
            case ETCD -> rig("restart-etcd");
            case DOCKERD -> {
                long pid = Long.parseLong(Files.readString(Path.of(TEST_DIR, "docker.pid")).trim());
                signal("STOP", pid);
                try {
                    Thread.sleep(held);
                } finally {
                    signal("CONT", pid);
                }
                return "dockerd SIGSTOP for " + held + " ms";
            }
            default -> throw new IllegalStateException(fault);
        }
        return fault.equals(SIGKILL) ? "SIGKILL" : "etcd SIGKILL and restart";
    }

    private static void rig(String command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("scripts", "test-env.sh").toString(), command).inheritIO();
        pb.environment().put("GDA_TEST_DIR", TEST_DIR);
        assertThat(pb.start().waitFor()).as("scripts/test-env.sh %s", command).isZero();
    }

    private static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor()).as("kill -%s %d", signal, pid).isZero();
    }

    private static Api.Reply awaitAnswer(Future<Api.Reply> reply) throws Exception {
        try {
            return reply.get(180, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException connectionDropped) {
            return null; // the service died under the call: no answer
        }
    }

    // ---- the operations -----------------------------------------------------------------------------

    private Step pick(Random random, Model m, int round, String tag) {
        List<String> names = new ArrayList<>(m.replicaSets().keySet());
        List<String> vols = new ArrayList<>(m.volumes().keySet());
        List<String> kinds = new ArrayList<>();
        if (names.size() < MAX_REPLICASETS) {
            kinds.add("create");
            kinds.add("create");
        }
        List<String> running = names.stream().filter(n -> "running".equals(m.replicaSets().get(n).state())).toList();
        List<String> paused = names.stream().filter(n -> "paused".equals(m.replicaSets().get(n).state())).toList();
        if (!running.isEmpty()) {
            kinds.add("pause");
        }
        if (!paused.isEmpty()) {
            kinds.add("continue");
        }
        if (!names.isEmpty()) {
            kinds.addAll(List.of("patch", "patch", "restart", "stop", "delete"));
            if (names.stream().anyMatch(n -> rollbackTarget(m.replicaSets().get(n), n) > 0)) {
                kinds.add("rollback");
            }
        }
        if (vols.size() < MAX_VOLUMES) {
            kinds.add("volume-create");
        }
        if (!vols.isEmpty()) {
            kinds.addAll(List.of("volume-resize", "volume-delete"));
        }
        String kind = kinds.get(random.nextInt(kinds.size()));
        Model after = m.copy();
        String name = names.isEmpty() ? null : names.get(random.nextInt(names.size()));
        String vol = vols.isEmpty() ? null : vols.get(random.nextInt(vols.size()));
        switch (kind) {
            case "create" -> {
                String n = "chaos" + tag + "r" + round;
                int gpus = random.nextInt(3);
                after.replicaSets().put(n, new Rs(1, "running", Map.of(1L, Map.of())));
                Map<String, Object> body = createBody(n, gpus, SLEEP, List.of("22"));
                // half the instances mount a volume, so resizes freeze live users and deletes meet mounted volumes
                String bound = vol != null && random.nextBoolean() ? vol + "-" + m.volumes().get(vol) : null;
                if (bound != null) {
                    body.put("binds", List.of(Map.of("src", bound, "dest", "/data")));
                }
                return new Step("create " + n + " (" + gpus + " GPUs" + (bound == null ? "" : ", volume " + bound) + ")",
                        () -> chaos.post("/replicaSet", body), after);
            }
            case "pause" -> {
                String n = running.get(random.nextInt(running.size()));
                after.replicaSets().put(n, m.replicaSets().get(n).withState("paused"));
                return new Step("pause " + n, () -> chaos.patch("/replicaSet/" + n + "/pause", null), after);
            }
            case "continue" -> {
                String n = paused.get(random.nextInt(paused.size()));
                after.replicaSets().put(n, m.replicaSets().get(n).withState("running"));
                return new Step("continue " + n, () -> chaos.patch("/replicaSet/" + n + "/continue", null), after);
            }
            case "patch" -> {
                Rs rs = m.replicaSets().get(name);
                int gpus = random.nextInt(3);
                after.replicaSets().put(name, rs.next(rs.version()));
                return new Step("patch " + name + " to " + gpus + " GPUs", () -> chaos.patch("/replicaSet/" + name, Map.of("gpuPatch", Map.of("gpuCount", gpus))), after);
            }
            case "restart" -> {
                Rs rs = m.replicaSets().get(name);
                after.replicaSets().put(name, rs.next(rs.version()));
                return new Step("restart " + name, () -> chaos.patch("/replicaSet/" + name + "/restart", null), after);
            }
            case "rollback" -> {
                String n = names.stream().filter(x -> rollbackTarget(m.replicaSets().get(x), x) > 0).findFirst().orElseThrow();
                Rs rs = m.replicaSets().get(n);
                long target = rollbackTarget(rs, n);
                after.replicaSets().put(n, rs.next(target));
                return new Step("rollback " + n + " to " + target, () -> chaos.patch("/replicaSet/" + n + "/rollback", Map.of("version", target)), after);
            }
            case "stop" -> {
                Rs rs = m.replicaSets().get(name);
                after.replicaSets().put(name, rs.withState("stopped"));
                return new Step("stop " + name, () -> chaos.patch("/replicaSet/" + name + "/stop", null), after);
            }
            case "delete" -> {
                after.replicaSets().remove(name);
                return new Step("delete " + name, () -> chaos.delete("/replicaSet/" + name), after);
            }
            case "volume-create" -> {
                String v = "chaosvol" + tag + "r" + round;
                after.volumes().put(v, 1L);
                return new Step("volume-create " + v, () -> chaos.post("/volumes", Map.of("name", v, "size", "1GB")), after);
            }
            case "volume-resize" -> {
                long version = m.volumes().get(vol);
                after.volumes().put(vol, version + 1);
                String size = (version + 1) + "GB";
                return new Step("volume-resize " + vol + " to " + size, () -> chaos.patch("/volumes/" + vol + "/size", Map.of("size", size)), after);
            }
            case "volume-delete" -> {
                after.volumes().remove(vol);
                return new Step("volume-delete " + vol, () -> chaos.delete("/volumes/" + vol), after);
            }
            default -> throw new IllegalStateException(kind);
        }
    }

    /** An older version whose container still exists, or 0. */
    private long rollbackTarget(Rs rs, String name) {
        for (JsonNode h : chaos.get("/replicaSet/" + name + "/history").data().path("history")) {
            long v = h.path("version").asLong();
            if (v < rs.version() && h.path("snapshotAvailable").asBoolean() && rs.files().containsKey(v)) {
                return v;
            }
        }
        return 0;
    }

    private static String kind(Step step) {
        return step.what().substring(0, step.what().indexOf(' '));
    }

    /** Writes 1-3 MB to the system disk of a running replicaset the patch is about; returns the model that knows the file. */
    private Model writeFiles(Model m, Step step, Random random, int round) {
        String name = step.what().split(" ")[1];
        Rs rs = m.replicaSets().get(name);
        if (!"running".equals(rs.state())) {
            return m;
        }
        int mb = 1 + random.nextInt(3);
        String file = "/root/chaos-" + round;
        Api.Reply r = chaos.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("sh", "-c",
                "dd if=/dev/urandom of=" + file + " bs=1M count=" + mb + " 2>/dev/null && md5sum " + file)));
        assertThat(r.status()).as("write before patch: %s", r).isEqualTo(200);
        String md5 = r.data().path("stdout").asString().split(" ")[0];
        Map<Long, Map<String, String>> files = new HashMap<>(rs.files());
        Map<String, String> current = new HashMap<>(files.getOrDefault(rs.version(), Map.of()));
        current.put(file, md5);
        files.put(rs.version(), Map.copyOf(current));
        Model out = m.copy();
        out.replicaSets().put(name, new Rs(rs.version(), rs.state(), files));
        return out;
    }

    /** The patched model, with the new version carrying the files written just before the call. */
    private static Model withFilesOf(Model after, Model before) {
        Model out = after.copy();
        before.replicaSets().forEach((name, b) -> {
            Rs a = out.replicaSets().get(name);
            if (a != null && a.version() == b.version() + 1) {
                out.replicaSets().put(name, b.next(b.version()));
            }
        });
        return out;
    }

    // ---- what the restarted service says, and the invariants ---------------------------------------

    private Model observe() {
        Model m = new Model(new TreeMap<>(), new TreeMap<>());
        for (JsonNode r : chaos.get("/replicaSet").data()) {
            m.replicaSets().put(r.path("name").asString(), new Rs(r.path("version").asLong(), r.path("state").asString(), Map.of()));
        }
        for (JsonNode v : chaos.get("/volumes").data()) {
            m.volumes().put(v.path("name").asString(), v.path("version").asLong());
        }
        return m;
    }

    private void checkInvariants(Model model, String context) throws InterruptedException {
        // the restart's reconcile and the volume janitor may still be at work: wait for what they finish
        awaitTrue(() -> store.list(PREFIX + "/apis/v1/operations/").isEmpty(), "every intent dropped: " + context);
        awaitTrue(() -> unaccounted().isEmpty(), "nothing unaccounted for: " + context + ": " + unaccounted());

        // what the records hold (the list shows each record's GPUs and ports; a stopped one holds none)
        Map<String, String> recordedGpus = new HashMap<>();
        Map<Integer, String> recordedPorts = new HashMap<>();
        for (JsonNode r : chaos.get("/replicaSet").data()) {
            String name = r.path("name").asString();
            r.path("gpus").forEach(g -> assertThat(recordedGpus.put(g.asString(), name)).as("GPU %s in two records: %s", g, context).isNull());
            r.path("ports").properties().forEach(p -> assertThat(recordedPorts.put(p.getValue().asInt(), name))
                    .as("port %s in two records: %s", p.getValue(), context).isNull());
        }
        for (Map.Entry<String, Rs> e : model.replicaSets().entrySet()) {
            String name = e.getKey();
            JsonNode detail = chaos.get("/replicaSet/" + name).data();
            String running = "running".equals(e.getValue().state()) ? detail.path("containerName").asString() : null;
            awaitTrue(() -> runningContainers(name).equals(running == null ? Set.of() : Set.of(running)),
                    name + " runs exactly " + running + ": " + context + ": " + runningContainers(name));
            if (running != null) {
                assertThat(files(name)).as("files of %s version %d: %s", name, e.getValue().version(), context)
                        .isEqualTo(e.getValue().files().getOrDefault(e.getValue().version(), Map.of()));
            }
        }
        Map<String, String> gpuHolders = new HashMap<>();
        for (JsonNode g : chaos.get("/resources/gpus").data().path("inventory")) {
            if (!g.path("holder").isNull()) {
                gpuHolders.put(g.path("uuid").asString(), g.path("holder").asString());
            }
        }
        Map<Integer, String> portHolders = new HashMap<>();
        for (JsonNode p : chaos.get("/resources/ports").data().path("used")) {
            assertThat(portHolders.put(p.path("port").asInt(), p.path("holder").asString())).as("port listed twice: %s", context).isNull();
        }
        assertThat(gpuHolders).as("GPUs held = GPUs recorded: %s", context).isEqualTo(recordedGpus);
        assertThat(portHolders).as("ports held = ports recorded: %s", context).isEqualTo(recordedPorts);
        assertThat(store.list(PREFIX + "/apis/v1/gpus/")).as("GPU keys: %s", context).hasSize(recordedGpus.size());
        assertThat(store.list(PREFIX + "/apis/v1/ports/")).as("port keys: %s", context).hasSize(recordedPorts.size());
    }

    /** Managed containers and volumes that no recorded version accounts for. */
    private List<String> unaccounted() {
        Map<String, Set<Long>> versions = new HashMap<>();
        for (JsonNode r : chaos.get("/replicaSet").data()) {
            String name = r.path("name").asString();
            Set<Long> v = new HashSet<>();
            chaos.get("/replicaSet/" + name + "/history").data().path("history").forEach(h -> v.add(h.path("version").asLong()));
            versions.put("replicaset " + name, v);
        }
        for (JsonNode r : chaos.get("/volumes").data()) {
            String name = r.path("name").asString();
            Set<Long> v = new HashSet<>();
            chaos.get("/volumes/" + name + "/history").data().path("history").forEach(h -> v.add(h.path("version").asLong()));
            versions.put("volume " + name, v);
        }
        List<String> out = new ArrayList<>();
        for (ContainerSummary c : engine.listByLabels(ManagedLabels.owner(PREFIX))) {
            Set<Long> v = versions.get("replicaset " + c.label(ManagedLabels.REPLICASET));
            if (v == null || !v.contains(Long.parseLong(Objects.requireNonNullElse(c.label(ManagedLabels.VERSION), "-1")))) {
                out.add("container " + c.name());
            }
        }
        for (VolumeSummary vol : volumeEngine.listVolumesByLabels(ManagedLabels.owner(PREFIX))) {
            Set<Long> v = versions.get("volume " + vol.labels().get(ManagedLabels.VOLUME));
            if (v == null || !v.contains(Long.parseLong(vol.labels().getOrDefault(ManagedLabels.VERSION, "-1")))) {
                out.add("volume " + vol.name());
            }
        }
        return out;
    }

    private Set<String> runningContainers(String name) {
        Set<String> out = new HashSet<>();
        for (ContainerSummary c : engine.listByLabels(ManagedLabels.replicaSet(PREFIX, name))) {
            if (c.running()) {
                out.add(c.name());
            }
        }
        return out;
    }

    private Map<String, String> files(String name) {
        Api.Reply r = chaos.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("sh", "-c", "md5sum /root/chaos-* 2>/dev/null; true")));
        assertThat(r.status()).as("read files of %s: %s", name, r).isEqualTo(200);
        Map<String, String> out = new HashMap<>();
        for (String line : r.data().path("stdout").asString().split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2) {
                out.put(parts[1], parts[0]);
            }
        }
        return out;
    }

    // ---- the service --------------------------------------------------------------------------------

    private void startService() throws Exception {
        int httpPort = ServiceProcess.freePort();
        service = ServiceProcess.start("chaos-it", PREFIX, PORTS, List.of(
                "-a", "127.0.0.1:" + httpPort,
                "--gda.docker.host=" + props.docker().host(),
                "--gda.gpu.nvidia-smi=" + props.gpu().nvidiaSmi(),
                "--gda.history.keep=3",
                "--gda.reconcile.period=2s",
                "--gda.binds.allowed-roots=/tmp",
                "--gda.auth.admin-token=" + ADMIN_TOKEN));
        chaos = new Api("http://127.0.0.1:" + httpPort + "/api/v1", ADMIN_TOKEN);
        // a start refused with exit status 3 (managed objects etcd does not know) fails here, with the log
        service.awaitUp(() -> chaos.get("/ping").status() == 200);
    }

    private static String setting(String property, String env, String fallback) {
        String p = System.getProperty(property);
        if (p != null && !p.isBlank()) {
            return p.trim();
        }
        String e = System.getenv(env);
        return e != null && !e.isBlank() ? e.trim() : fallback;
    }

    /** Up to 90 s: after a fault under the running service, the periodic reconcile and the volume janitor (every minute) repair. */
    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 90 s: " + what);
            }
            Thread.sleep(250);
        }
    }

    /** False while etcd or Docker is still coming back. */
    private static boolean holds(java.util.function.BooleanSupplier condition) {
        try {
            return condition.getAsBoolean();
        } catch (RuntimeException notYet) {
            return false;
        }
    }
}
