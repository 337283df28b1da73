package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The rig's dockerd restarted under running instances, as a service manager restarts it (SIGTERM) and as a
 * crash does (SIGKILL; its next start stops what it finds still running): instances that ran come back
 * running with the same GPUs and ports; one the user stopped stays stopped; one whose process exited by
 * itself stays exited with its exit code and keeps its GPUs and ports. No GPU or port changes hands.
 */
class DockerRestartIT extends IntegrationTestBase {
    private static final Duration BACK = Duration.ofSeconds(60);

    @Test
    void runningInstancesComeBackWithTheirGpusAndPortsWhileStoppedAndExitedOnesStaySo() throws Exception {
        String runs = name("runs");
        create(runs, 2);
        String stopped = name("stopped");
        create(stopped, 1);
        assertThat(api.patch("/replicaSet/" + stopped + "/stop", Map.of()).status()).isEqualTo(200);
        String exits = name("exits");
        Api.Reply created = api.post("/replicaSet", createBody(exits, 1, List.of("sh", "-c", "sleep 1; exit 7"), List.of("22")));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertExited(exits));
        Instance runsBefore = instance(runs);
        Instance exitsBefore = instance(exits);
        String devicesBefore = visibleDevices(runs);
        Map<String, String> gpuHolders = gpuHolders();
        Map<Integer, String> portHolders = portHolders();
        assertThat(runsBefore.gpus()).hasSize(2);
        assertThat(exitsBefore.gpus()).as("an exited instance keeps its GPUs").hasSize(1);
        assertThat(gpuHolders.values()).doesNotContain(stopped);

        for (String how : List.of("--kill", "")) {
            restartDocker(how);
            await().atMost(BACK).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Api.Reply r = api.get("/replicaSet/" + runs);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(r.data().path("state").asString()).as(r.toString()).isEqualTo("running");
                assertThat(r.data().path("containerStatus").asString()).as("restarted after dockerd %s: %s", how, r).isEqualTo("running");
            });
            assertThat(instance(runs)).as("same version, GPUs and ports after dockerd %s", how).isEqualTo(runsBefore);
            assertThat(visibleDevices(runs)).as("the container sees the same GPUs").isEqualTo(devicesBefore);
            assertThat(instance(exits)).isEqualTo(exitsBefore);
            assertExited(exits);
            Api.Reply s = api.get("/replicaSet/" + stopped);
            assertThat(s.data().path("state").asString()).isEqualTo("stopped");
            assertThat(s.data().path("containerStatus").asString()).as("a user's stop survives dockerd %s: %s", how, s).isEqualTo("exited");
            assertThat(gpuHolders()).as("no GPU changed hands").isEqualTo(gpuHolders);
            assertThat(portHolders()).as("no port changed hands").isEqualTo(portHolders);
        }

        // the exited instance is the user's to continue, and a stop hands its GPUs back
        Api.Reply resumed = api.patch("/replicaSet/" + exits + "/continue", Map.of());
        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertExited(exits));
        assertThat(api.patch("/replicaSet/" + exits + "/stop", Map.of()).status()).isEqualTo(200);
        assertThat(gpuHolders().values()).doesNotContain(exits);
        assertThat(portHolders().values()).doesNotContain(exits);
    }

    private void assertExited(String name) {
        Api.Reply r = api.get("/replicaSet/" + name);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.data().path("state").asString()).as(r.toString()).isEqualTo("exited");
        assertThat(r.data().path("containerStatus").asString()).as(r.toString()).isEqualTo("exited");
        assertThat(r.data().path("exitCode").asInt()).as(r.toString()).isEqualTo(7);
        assertThat(gpuHolders()).as("an exited instance keeps its GPUs").containsValue(name);
        assertThat(portHolders()).as("an exited instance keeps its ports").containsValue(name);
    }

    private record Instance(long version, List<String> gpus, JsonNode ports) {}

    private Instance instance(String name) {
        JsonNode d = api.get("/replicaSet/" + name).data();
        List<String> gpus = new ArrayList<>();
        d.path("gpus").forEach(g -> gpus.add(g.asString()));
        return new Instance(d.path("version").asLong(), gpus, d.path("ports"));
    }

    /** The rig's own helper, which restarts dockerd with the arguments it was brought up with. */
    private static void restartDocker(String how) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", Path.of("scripts", "test-env.sh").toString(), "restart-docker"));
        if (!how.isEmpty()) {
            cmd.add(how);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().putIfAbsent("GDA_TEST_DIR", "/tmp/gda-test");
        Process p = pb.start();
        assertThat(p.waitFor()).as("scripts/test-env.sh restart-docker %s", how).isZero();
    }
}
