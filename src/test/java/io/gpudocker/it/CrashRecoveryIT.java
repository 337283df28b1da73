package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.docker.ContainerSpec;
import io.gpudocker.docker.ContainerView;
import io.gpudocker.common.ManagedLabels;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Path;
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
 * It uses its own etcd prefix and port range, so it never meets the in-process service of the other tests.
 */
class CrashRecoveryIT extends IntegrationTestBase {
    private static final String PREFIX = "/gpu-docker-api-crash-it";
    private final List<Process> processes = new ArrayList<>();
    private Api crashApi;

    @AfterEach
    void cleanUp() throws Exception {
        if (crashApi == null || !alive()) {
            startService();
        }
        for (JsonNode r : crashApi.get("/replicaSet").data()) {
            crashApi.delete("/replicaSet/" + r.path("name").asString());
        }
        processes.forEach(Process::destroyForcibly);
        for (Process p : processes) {
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(engine.listByLabels(ManagedLabels.owner(PREFIX))).isEmpty();
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
        // while it is down: one container is removed behind its back, and an update of 'none' is left half
        // done (new version created, old one stopped, nothing committed), as a crash mid-update leaves it
        engine.remove(one + "-1");
        engine.create(new ContainerSpec(none + "-2", IMAGE, SLEEP, List.of(), List.of(), List.of(), Map.of(),
                ManagedLabels.replicaSetVersion(PREFIX, none, 2)));
        engine.stop(none + "-1");
        startService();

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
        for (ContainerView c : engine.listByLabels(ManagedLabels.owner(PREFIX))) {
            assertThat(recorded).as("container %s has a record", c.name()).contains(c.label(ManagedLabels.REPLICASET));
        }
        Map<String, String> holders = holders();
        assertThat(holders.keySet()).isEqualTo(seenGpus);
        assertThat(store.list(PREFIX + "/apis/v1/gpus/")).hasSize(seenGpus.size());
        assertThat(store.list(PREFIX + "/apis/v1/ports/")).hasSize(seenPorts.size());
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

    private boolean alive() {
        return !processes.isEmpty() && processes.get(processes.size() - 1).isAlive();
    }

    private void startService() throws Exception {
        int httpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            httpPort = s.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-cp", System.getProperty("java.class.path"), "io.gpudocker.GpuDockerApiApplication",
                "-a", "127.0.0.1:" + httpPort,
                "-e", String.join(",", props.etcd().endpoints()),
                "-p", "47000-47999",
                "--gda.etcd.prefix=" + PREFIX,
                "--gda.docker.host=" + props.docker().host(),
                "--gda.gpu.nvidia-smi=" + props.gpu().nvidiaSmi(),
                "--gda.docker.stop-timeout=1s",
                "--gda.auth.admin-token=" + ADMIN_TOKEN);
        File log = new File("target/crash-recovery-it-" + System.currentTimeMillis() + "-" + processes.size() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        processes.add(p);
        crashApi = new Api("http://127.0.0.1:" + httpPort + "/api/v1", ADMIN_TOKEN);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("service process exited; see %s", log).isTrue();
            try {
                if (crashApi.get("/ping").status() == 200) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("service did not come up within 90 s; see " + log);
    }

    private void killService() throws InterruptedException {
        Process p = processes.get(processes.size() - 1);
        p.destroyForcibly(); // SIGKILL: no shutdown hook, nothing saved on the way out
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
}
