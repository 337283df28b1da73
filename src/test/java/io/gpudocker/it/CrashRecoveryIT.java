package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerSpec;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.store.Cluster;
import io.gpudocker.store.Json;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Txn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Kills the service with SIGKILL (a separate JVM running the real main class) and starts it again: every
 * acknowledged change must still be there, nothing held twice, nothing leaked, half-done work undone.
 * Against an etcd that does not know what Docker holds (wiped, under a stopped or a running service) it
 * removes nothing, refuses to start (exit status 3) and rebuilds the records with --recover.
 * It uses its own etcd prefix and port range (GDA_IT_CRASH_PORTS), so it never meets the in-process service
 * of the other tests nor another rig's containers on the host's ports.
 */
class CrashRecoveryIT extends IntegrationTestBase {
    private static final String PREFIX = "/gpu-docker-api-crash-it";
    private static final String PORTS = System.getenv().getOrDefault("GDA_IT_CRASH_PORTS", "47000-47999");
    private final List<ServiceProcess> processes = new ArrayList<>();
    private Api crashApi;

    /** Deletes through the API while the service runs on an intact etcd, then removes whatever a wiped etcd left no record of. */
    @AfterEach
    void cleanUp() throws Exception {
        if (alive() && store.get(PREFIX + "/apis/v1/cluster").isPresent()) {
            for (JsonNode r : crashApi.get("/replicaSet").data()) {
                crashApi.delete("/replicaSet/" + r.path("name").asString());
            }
            for (JsonNode v : crashApi.get("/volumes").data()) {
                crashApi.delete("/volumes/" + v.path("name").asString());
            }
        }
        for (ServiceProcess p : processes) {
            p.kill();
        }
        engine.listByLabels(ManagedLabels.owner(PREFIX)).forEach(c -> engine.remove(c.id()));
        volumeEngine.listVolumesByLabels(ManagedLabels.owner(PREFIX)).forEach(v -> volumeEngine.removeVolume(v.name()));
        store.commit(new Txn().deletePrefix(PREFIX + "/"));
        assertThat(engine.listByLabels(ManagedLabels.owner(PREFIX))).isEmpty();
        assertThat(volumeEngine.listVolumesByLabels(ManagedLabels.owner(PREFIX))).isEmpty();
        assertThat(store.list(PREFIX + "/")).isEmpty();
    }

    @Test
    void sigkillLosesNothingAndStartupRepairsWhatChangedWhileDown() throws Exception {
        startService();
        String tag = UUID.randomUUID().toString().substring(0, 6).replace("-", "");
        String two = "crashtwo" + tag;
        String one = "crashone" + tag;
        String none = "crashnone" + tag;
        createOn(two, 2);
        createOn(one, 1);
        createOn(none, 0);
        List<String> gpusTwo = gpus(two);
        int portTwo = port(two);
        crashApi.post("/replicaSet/" + two + "/execute", Map.of("cmd", List.of("sh", "-c", "echo before-crash > /root/f")));
        assertThat(crashApi.patch("/replicaSet/" + two + "/pause", null).status()).isEqualTo(200);

        killService();
        // while it is down: one container is removed behind its back, an update of 'none' is left half done
        // (intent written, new version created, old one stopped, nothing committed), and a create and a volume
        // create are left with their intents and no record, as a crash mid-call leaves them
        engine.remove(one + "-1");
        Intent update = interrupted(Intent.start(Intent.REPLICASET, "update", none, 2));
        engine.create(new ContainerSpec(none + "-2", IMAGE, SLEEP, List.of(), List.of(), List.of(), Map.of(),
                stamped(ManagedLabels.replicaSetVersion(PREFIX, none, 2), update), "", 0, 0, true));
        engine.stop(none + "-1");
        String ghost = "crashghost" + tag;
        Intent create = interrupted(Intent.start(Intent.REPLICASET, "create", ghost, 1));
        engine.create(new ContainerSpec(ghost + "-1", IMAGE, SLEEP, List.of(), List.of(), List.of(), Map.of(),
                stamped(ManagedLabels.replicaSetVersion(PREFIX, ghost, 1), create), "", 0, 0, true));
        Intent volumeCreate = interrupted(Intent.start(Intent.VOLUME, "create", ghost, 1));
        volumeEngine.createVolume(ghost + "-1", Map.of(), stamped(ManagedLabels.volumeVersion(PREFIX, ghost, 1), volumeCreate));
        startService();

        assertThat(engine.inspect(ghost + "-1")).as("container of an interrupted create removed").isEmpty();
        awaitTrue(() -> volumeEngine.inspectVolume(ghost + "-1").isEmpty(), "volume of an interrupted create removed");
        awaitTrue(() -> store.list(PREFIX + "/apis/v1/operations/").isEmpty(), "intents dropped");

        JsonNode twoAfter = crashApi.get("/replicaSet/" + two).data();
        assertThat(twoAfter.path("state").asString()).isEqualTo("paused");
        assertThat(gpus(two)).isEqualTo(gpusTwo);
        assertThat(port(two)).isEqualTo(portTwo);
        JsonNode oneAfter = crashApi.get("/replicaSet/" + one).data();
        assertThat(oneAfter.path("state").asString()).isEqualTo("stopped");
        assertThat(oneAfter.path("gpus")).isEmpty();
        assertThat(holders().values()).doesNotContain(one);
        JsonNode noneAfter = crashApi.get("/replicaSet/" + none).data();
        assertThat(noneAfter.path("version").asLong()).isEqualTo(1);
        assertThat(engine.inspect(none + "-2")).as("uncommitted version removed").isEmpty();
        assertThat(engine.inspect(none + "-1").orElseThrow().running()).as("old version restarted").isTrue();

        // nothing is handed out twice: a newcomer gets exactly the GPUs nobody holds
        String late = "crashlate" + tag;
        int free = crashApi.get("/resources/gpus").data().path("free").asInt();
        assertThat(free).isEqualTo(6);
        createOn(late, free);
        assertThat(gpus(late)).doesNotContainAnyElementsOf(gpusTwo);
        assertThat(port(late)).isNotEqualTo(portTwo);
        assertThat(crashApi.patch("/replicaSet/" + two + "/continue", null).status()).isEqualTo(200);
        Api.Reply out = crashApi.post("/replicaSet/" + two + "/execute", Map.of("cmd", List.of("cat", "/root/f")));
        assertThat(out.data().path("stdout").asString()).isEqualTo("before-crash\n");
    }

    @Test
    void sigkillDuringConcurrentCreatesLeavesAConsistentState() throws Exception {
        startService();
        String tag = UUID.randomUUID().toString().substring(0, 6).replace("-", "");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 8; i++) {
            String name = "inflight" + i + "x" + tag;
            pool.submit(() -> {
                try {
                    crashApi.post("/replicaSet", createBody(name, 1, SLEEP, List.of("22")));
                } catch (RuntimeException connectionDropped) {
                    // the service is killed under this call
                }
            });
        }
        Thread.sleep(700);
        killService();
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
        startService();

        Set<String> seenGpus = new HashSet<>();
        Set<Integer> seenPorts = new HashSet<>();
        Set<String> recorded = new HashSet<>();
        for (JsonNode r : crashApi.get("/replicaSet").data()) {
            String name = r.path("name").asString();
            recorded.add(name);
            JsonNode detail = crashApi.get("/replicaSet/" + name).data();
            assertThat(detail.path("state").asString()).isEqualTo("running");
            List<String> gpus = gpus(name);
            gpus.forEach(g -> assertThat(seenGpus.add(g)).as("GPU %s held twice", g).isTrue());
            assertThat(seenPorts.add(port(name))).isTrue();
            Api.Reply env = crashApi.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("sh", "-c",
                    "tr '\\0' '\\n' < /proc/1/environ | grep ^NVIDIA_VISIBLE_DEVICES= | cut -d= -f2")));
            assertThat(env.data().path("stdout").asString().trim()).isEqualTo(String.join(",", gpus));
        }
        for (ContainerSummary c : engine.listByLabels(ManagedLabels.owner(PREFIX))) {
            assertThat(recorded).as("container %s has a record", c.name()).contains(c.label(ManagedLabels.REPLICASET));
        }
        Map<String, String> holders = holders();
        assertThat(holders.keySet()).isEqualTo(seenGpus);
        assertThat(store.list(PREFIX + "/apis/v1/gpus/")).hasSize(seenGpus.size());
        assertThat(store.list(PREFIX + "/apis/v1/ports/")).hasSize(seenPorts.size());
    }

    @Test
    void aWipedEtcdChangesNothingAndRefusesToStartThenRecoverRebuildsEveryRecord() throws Exception {
        startService();
        String tag = UUID.randomUUID().toString().substring(0, 6).replace("-", "");
        String vol = "crashvol" + tag;
        String disk = "crashdisk" + tag;
        String twice = "crashtwice" + tag;
        assertThat(crashApi.post("/volumes", Map.of("name", vol)).status()).isEqualTo(200);
        Map<String, Object> body = createBody(disk, 1, SLEEP, List.of("22"));
        body.put("binds", List.of(Map.of("src", vol + "-1", "dest", "/data")));
        assertThat(crashApi.post("/replicaSet", body).status()).isEqualTo(200);
        execOn(disk, "echo on-the-system-disk > /root/sysfile && echo on-the-volume > /data/f");
        createOn(twice, 2);
        Api.Reply patched = crashApi.patch("/replicaSet/" + twice, Map.of("gpuPatch", Map.of("gpuCount", 1)));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        Map<String, JsonNode> before = snapshot(disk, twice, vol);

        stopService();
        store.commit(new Txn().deletePrefix(PREFIX + "/"));
        Exit refused = runToExit();

        assertThat(refused.status()).as(refused.output()).isEqualTo(3);
        assertThat(refused.output()).contains("refusing to start", "2 instance(s)", "3 container(s)", "1 volume(s)", "--recover", "scripts/reset.sh --containers");
        assertThat(engine.inspect(disk + "-1").orElseThrow().running()).isTrue();
        assertThat(engine.inspect(twice + "-1")).as("the superseded version is kept").isPresent();
        assertThat(engine.inspect(twice + "-2").orElseThrow().running()).isTrue();
        assertThat(volumeEngine.inspectVolume(vol + "-1")).isPresent();
        assertThat(store.list(PREFIX + "/")).as("nothing written to etcd").isEmpty();

        startService("--recover");
        Map<String, JsonNode> after = snapshot(disk, twice, vol);
        assertThat(after).isEqualTo(before);
        assertThat(execOn(disk, "cat /root/sysfile /data/f")).isEqualTo("on-the-system-disk\non-the-volume\n");
        Api.Reply rollback = crashApi.patch("/replicaSet/" + twice + "/rollback", Map.of("version", 1));
        assertThat(rollback.status()).as(rollback.toString()).isEqualTo(200);
        assertThat(crashApi.get("/replicaSet/" + twice).data().path("version").asLong()).isEqualTo(3);
        assertThat(gpus(twice)).hasSize(2);

        stopService();
        startService(); // the adopted objects are this deployment's now: no --recover needed again
        assertThat(crashApi.get("/replicaSet/" + disk).data().path("state").asString()).isEqualTo("running");
    }

    @Test
    void etcdWipedUnderARunningServiceRemovesNothing() throws Exception {
        startService("--gda.reconcile.period=1s");
        String tag = UUID.randomUUID().toString().substring(0, 6).replace("-", "");
        String name = "crashlive" + tag;
        String vol = "crashlivevol" + tag;
        assertThat(crashApi.post("/volumes", Map.of("name", vol)).status()).isEqualTo(200);
        createOn(name, 1);
        Api.Reply patched = crashApi.patch("/replicaSet/" + name, Map.of());
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);

        store.commit(new Txn().deletePrefix(PREFIX + "/"));
        crashApi.get("/volumes"); // queues a volume sweep
        Thread.sleep(4000); // several reconcile periods
        Api.Reply refused = crashApi.post("/replicaSet", createBody("crashlate" + tag, 0, SLEEP, List.of()));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.msg()).contains("no longer holds this deployment's cluster id");
        assertThat(engine.inspect(name + "-1")).as("superseded version kept").isPresent();
        assertThat(engine.inspect(name + "-2").orElseThrow().running()).isTrue();
        assertThat(volumeEngine.inspectVolume(vol + "-1")).isPresent();
        assertThat(engine.inspect("crashlate" + tag + "-1")).isEmpty();
        assertThat(store.list(PREFIX + "/")).as("nothing written into the wiped etcd").isEmpty();
        assertThat(last().output()).containsOnlyOnce("the reconcile and the volume janitor remove nothing");
    }

    /**
     * What a user sees of two replicasets and a volume, less what a rebuild cannot know (last update, live status) and
     * the GPUs' telemetry, a live reading that a fresh process has not taken yet.
     */
    private Map<String, JsonNode> snapshot(String first, String second, String vol) {
        Map<String, JsonNode> m = new HashMap<>();
        for (String name : List.of(first, second)) {
            tools.jackson.databind.node.ObjectNode detail = (tools.jackson.databind.node.ObjectNode) crashApi.get("/replicaSet/" + name).data();
            detail.remove("updateTime");
            m.put(name, detail);
            m.put(name + " history", crashApi.get("/replicaSet/" + name + "/history").data());
        }
        tools.jackson.databind.node.ObjectNode volume = (tools.jackson.databind.node.ObjectNode) crashApi.get("/volumes/" + vol).data();
        volume.remove("updateTime");
        m.put(vol, volume);
        m.put(vol + " history", crashApi.get("/volumes/" + vol + "/history").data());
        JsonNode gpus = crashApi.get("/resources/gpus").data();
        gpus.path("inventory").forEach(g -> ((tools.jackson.databind.node.ObjectNode) g).remove("telemetry"));
        m.put("gpus", gpus);
        m.put("ports", crashApi.get("/resources/ports").data());
        return m;
    }

    /** Writes the intent a call writes before it creates anything, as a call killed after creating leaves it. */
    private Intent interrupted(Intent op) {
        assertThat(store.commit(new Txn().put(new io.gpudocker.store.Keys(PREFIX, props.node().name()).operation(op.id()), Json.write(op)))).isTrue();
        return op;
    }

    private Map<String, String> stamped(Map<String, String> labels, Intent op) {
        String cluster = Json.read(store.get(PREFIX + "/apis/v1/cluster").orElseThrow().value(), Cluster.class).id();
        return ManagedLabels.stamped(labels, cluster, op.id(), "{}");
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    // ---- the service as a separate process ------------------------------------------------------------

    private void createOn(String name, int gpus) {
        Api.Reply r = crashApi.post("/replicaSet", createBody(name, gpus, SLEEP, List.of("22")));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private List<String> gpus(String name) {
        List<String> out = new ArrayList<>();
        crashApi.get("/replicaSet/" + name).data().path("gpus").forEach(n -> out.add(n.asString()));
        return out;
    }

    private int port(String name) {
        return crashApi.get("/replicaSet/" + name).data().path("ports").path("22/tcp").asInt();
    }

    private Map<String, String> holders() {
        Map<String, String> m = new HashMap<>();
        for (JsonNode g : crashApi.get("/resources/gpus").data().path("inventory")) {
            if (!g.path("holder").isNull()) {
                m.put(g.path("uuid").asString(), g.path("holder").asString());
            }
        }
        return m;
    }

    private ServiceProcess last() {
        return processes.get(processes.size() - 1);
    }

    private boolean alive() {
        return !processes.isEmpty() && last().alive();
    }

    private String execOn(String name, String script) {
        Api.Reply r = crashApi.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("sh", "-c", script)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.data().path("stdout").asString();
    }

    /** How a start that was refused ended: its exit status and what it printed. */
    private record Exit(int status, String output) {}

    private ServiceProcess launch(String... extra) throws Exception {
        int httpPort = ServiceProcess.freePort();
        List<String> flags = ServiceProcess.rigFlags(httpPort, props, ADMIN_TOKEN, extra);
        ServiceProcess p = ServiceProcess.start("crash-recovery-it", PREFIX, PORTS, flags);
        processes.add(p);
        crashApi = new Api("http://127.0.0.1:" + httpPort + "/api/v1", ADMIN_TOKEN);
        return p;
    }

    private Exit runToExit(String... extra) throws Exception {
        ServiceProcess p = launch(extra);
        return new Exit(p.awaitExit(Duration.ofSeconds(90)), p.output());
    }

    private void startService(String... extra) throws Exception {
        launch(extra).awaitUp(() -> crashApi.get("/ping").status() == 200);
    }

    /** A graceful stop (SIGTERM), as an operator stops the service. */
    private void stopService() throws InterruptedException {
        last().close();
    }

    private void killService() throws InterruptedException {
        last().kill(); // SIGKILL: no shutdown hook, nothing saved on the way out
    }
}
