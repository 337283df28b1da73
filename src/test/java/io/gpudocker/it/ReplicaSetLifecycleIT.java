package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.gpudocker.docker.ContainerDetail;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

class ReplicaSetLifecycleIT extends IntegrationTestBase {
    @Autowired
    DockerClient docker;


    @Test
    void mainProcessSeesExactlyTheGpusTheApiReports() {
        String name = name("gpus");
        Api.Reply created = create(name, 3);
        assertThat(created.data().path("name").asString()).isEqualTo(name + "-1");

        List<String> gpus = gpusOf(name);
        assertThat(gpus).hasSize(3).doesNotHaveDuplicates();
        assertThat(visibleDevices(name)).isEqualTo(String.join(",", gpus));
        Map<String, String> holders = gpuHolders();
        gpus.forEach(g -> assertThat(holders).containsEntry(g, name));
        assertThat(exec(name, "echo $CONTAINER_VERSION")).isEqualTo("1\n");
    }

    @Test
    void cardlessInstanceSeesNoGpu() {
        String name = name("cardless");
        create(name, 0);
        assertThat(gpusOf(name)).isEmpty();
        assertThat(visibleDevices(name)).isEqualTo("void");
    }

    @Test
    void aProgramThatIsNowhereIsRefusedEveryTimeWithNothingLeftWhileOneThatIsThereStarts() {
        // the second of each is answered from what the first learned of the image, not from the container's filesystem
        for (int attempt = 1; attempt <= 2; attempt++) {
            for (List<String> cmd : List.of(List.of("no-such-program", "--serve"), List.of("/bin/no-such-program"))) {
                String name = name("noprog");
                Api.Reply r = api.post("/replicaSet", createBody(name, 1, cmd, List.of("22")));
                assertThat(r.status()).as("attempt %d of %s: %s", attempt, cmd, r).isEqualTo(400);
                assertThat(r.msg()).as(r.toString()).contains("exec: \"" + cmd.get(0) + "\"");
                assertThat(containersOf(name)).as("no container left").isEmpty();
                assertThat(keysNaming(name)).as("no record, allocation or intent left").isEmpty();
                assertThat(gpuHolders()).doesNotContainValue(name);
                assertThat(portHolders()).doesNotContainValue(name);
            }
            String runs = name("prog");
            assertThat(api.post("/replicaSet", createBody(runs, 0, List.of("sleep", "600"), List.of())).status()).isEqualTo(200);
            assertThat(engine.inspect(runs + "-1").orElseThrow().running()).isTrue();
        }
    }

    @Test
    void publishedPortServesFromTheHost() throws Exception {
        String name = name("web");
        Api.Reply r = api.post("/replicaSet", createBody(name, 0,
                List.of("sh", "-c", "echo served-by-" + name + " > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"), List.of("8080")));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        int hostPort = api.get("/replicaSet/" + name).data().path("ports").path("8080/tcp").asInt();
        assertThat(props.ports().parsed().contains(hostPort)).as("host port %d in %s", hostPort, props.ports().range()).isTrue();
        assertThat(portHolders()).containsEntry(hostPort, name);

        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hostPort + "/index.html")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.body()).isEqualTo("served-by-" + name + "\n");
        });
    }

    @Test
    void pauseKeepsResourcesAndContinueRestoresTheSameContainer() {
        String name = name("pause");
        create(name, 2);
        List<String> gpus = gpusOf(name);
        int sshPort = api.get("/replicaSet/" + name).data().path("ports").path("22/tcp").asInt();
        String containerId = engine.inspect(name + "-1").orElseThrow().id();
        exec(name, "echo kept > /root/state");

        assertThat(api.patch("/replicaSet/" + name + "/pause", null).status()).isEqualTo(200);
        var paused = api.get("/replicaSet/" + name).data();
        assertThat(paused.path("state").asString()).isEqualTo("paused");
        assertThat(paused.path("containerStatus").asString()).isEqualTo("exited");
        assertThat(engine.inspect(name + "-1").orElseThrow().running()).isFalse();
        gpus.forEach(g -> assertThat(gpuHolders()).containsEntry(g, name));
        assertThat(portHolders()).containsEntry(sshPort, name);
        assertThat(api.patch("/replicaSet/" + name + "/pause", null).code()).isEqualTo(1039);
        assertThat(api.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("true"))).code()).isEqualTo(1039);

        assertThat(api.patch("/replicaSet/" + name + "/continue", null).status()).isEqualTo(200);
        ContainerDetail resumed = engine.inspect(name + "-1").orElseThrow();
        assertThat(resumed.running()).isTrue();
        assertThat(resumed.id()).isEqualTo(containerId);
        assertThat(gpusOf(name)).isEqualTo(gpus);
        assertThat(visibleDevices(name)).isEqualTo(String.join(",", gpus));
        assertThat(exec(name, "cat /root/state")).isEqualTo("kept\n");
        assertThat(api.patch("/replicaSet/" + name + "/continue", null).code()).isEqualTo(1039);
    }

    @Test
    void stopReleasesGpusAndPorts() {
        String name = name("stop");
        create(name, 2);
        List<String> gpus = gpusOf(name);
        int sshPort = api.get("/replicaSet/" + name).data().path("ports").path("22/tcp").asInt();

        assertThat(api.patch("/replicaSet/" + name + "/stop", null).status()).isEqualTo(200);
        var stopped = api.get("/replicaSet/" + name).data();
        assertThat(stopped.path("state").asString()).isEqualTo("stopped");
        assertThat(stopped.path("gpus")).isEmpty();
        assertThat(gpuHolders().keySet()).doesNotContainAnyElementsOf(gpus);
        assertThat(portHolders()).doesNotContainKey(sshPort);
        assertThat(engine.inspect(name + "-1").orElseThrow().running()).isFalse();
        assertThat(api.patch("/replicaSet/" + name + "/stop", null).status()).as("stop is idempotent").isEqualTo(200);
    }

    @Test
    void containerRemovedBehindTheServicesBackGivesItsGpusBackWithoutARestart() {
        String name = name("removed");
        create(name, 2);
        List<String> gpus = gpusOf(name);
        int sshPort = api.get("/replicaSet/" + name).data().path("ports").path("22/tcp").asInt();
        engine.remove(name + "-1");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(api.get("/replicaSet/" + name).data().path("state").asString()).isEqualTo("stopped");
            assertThat(gpuHolders().keySet()).doesNotContainAnyElementsOf(gpus);
            assertThat(portHolders()).doesNotContainKey(sshPort);
        });
        assertThat(keysNaming(name)).noneMatch(k -> k.contains("/gpus/") || k.contains("/ports/"));
    }

    @Test
    void executeReturnsOutputAndExitCode() {
        String name = name("exec");
        create(name, 0);
        Api.Reply r = api.post("/replicaSet/" + name + "/execute",
                Map.of("workDir", "/etc", "cmd", List.of("sh", "-c", "pwd; echo oops >&2; exit 7")));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.data().path("exitCode").asLong()).isEqualTo(7);
        assertThat(r.data().path("stdout").asString()).contains("/etc\n").contains("oops\n");
        assertThat(r.data().path("timedOut").asBoolean()).isFalse();

        Api.Reply slow = api.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("sleep", "30")));
        assertThat(slow.status()).isEqualTo(200);
        assertThat(slow.data().path("timedOut").asBoolean()).isTrue();

        assertThat(api.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of())).code()).isEqualTo(1000);
    }

    @Test
    void commitProducesARunnableImage() {
        String name = name("commit");
        create(name, 0);
        exec(name, "echo from-the-system-disk > /root/marker");
        String image = "gda-it-commit-" + UUID.randomUUID().toString().substring(0, 8) + ":v1";
        Api.Reply r = api.post("/replicaSet/" + name + "/commit", Map.of("newImageName", image));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.data().path("imageName").asString()).isEqualTo(image);
        try {
            String child = name("child");
            Map<String, Object> body = createBody(child, 0, SLEEP, List.of());
            body.put("imageName", image);
            assertThat(api.post("/replicaSet", body).status()).isEqualTo(200);
            assertThat(exec(child, "cat /root/marker")).isEqualTo("from-the-system-disk\n");
            assertThat(api.delete("/replicaSet/" + child).status()).isEqualTo(200);
        } finally {
            docker.removeImageCmd(image).withForce(true).exec();
        }
        assertThat(api.post("/replicaSet/" + name + "/commit", Map.of("newImageName", "Bad Name!")).code()).isEqualTo(1000);
    }

    @Test
    void deleteLeavesNoContainerAndNoKey() {
        String name = name("delete");
        create(name, 1);
        api.patch("/replicaSet/" + name + "/pause", null);
        assertThat(keysNaming(name)).isNotEmpty();
        assertThat(api.delete("/replicaSet/" + name).status()).isEqualTo(200);
        assertThat(containersOf(name)).isEmpty();
        assertThat(keysNaming(name)).isEmpty();
        assertThat(api.get("/replicaSet/" + name).status()).isEqualTo(404);
        assertThat(api.delete("/replicaSet/" + name).code()).isEqualTo(1016);
    }

    @Test
    void listAndHistoryShowTheReplicaSet() {
        String name = name("list");
        create(name, 1);
        var list = api.get("/replicaSet").data();
        assertThat(list.findValuesAsString("name")).contains(name);
        var history = api.get("/replicaSet/" + name + "/history").data().path("history");
        assertThat(history).hasSize(1);
        assertThat(history.get(0).path("version").asLong()).isEqualTo(1);
        assertThat(history.get(0).path("status").path("spec").path("image").asString()).isEqualTo(IMAGE);
        assertThat(api.get("/ping").data().asString()).isEqualTo("pong");
    }

    @Test
    void askingForMoreGpusThanFreeIsAConflictAndLeaksNothing() {
        String big = name("big");
        create(big, 6);
        Map<String, String> before = gpuHolders();
        Map<Integer, String> portsBefore = portHolders();
        String greedy = name("greedy");
        Api.Reply r = api.post("/replicaSet", createBody(greedy, 3, SLEEP, List.of("22")));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.code()).isEqualTo(1013);
        assertThat(r.msg()).contains("only 2 more are free");
        assertThat(gpuHolders()).isEqualTo(before);
        assertThat(portHolders()).isEqualTo(portsBefore);
        assertThat(engine.inspect(greedy + "-1")).isEmpty();
        assertThat(api.get("/replicaSet/" + greedy).code()).isEqualTo(1016);
    }

    @Test
    void missingImageIsAClearClientErrorAndLeavesNothing() {
        String name = name("noimage");
        Map<String, Object> body = createBody(name, 2, SLEEP, List.of("22"));
        body.put("imageName", "not-on-this-host:1.0");
        Map<String, String> before = gpuHolders();
        Api.Reply r = api.post("/replicaSet", body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(1036);
        assertThat(r.msg()).contains("not-on-this-host:1.0");
        assertThat(gpuHolders()).isEqualTo(before);
        assertThat(engine.inspect(name + "-1")).isEmpty();
        assertThat(keysNaming(name)).isEmpty();
    }

    @Test
    void failedStartRemovesTheContainerAndReleasesEverything() {
        String name = name("nostart");
        Map<String, String> before = gpuHolders();
        Map<Integer, String> portsBefore = portHolders();
        Api.Reply r = api.post("/replicaSet", createBody(name, 2, List.of("/no/such/binary"), List.of("22")));
        assertThat(r.status()).as(r.toString()).isBetween(400, 599);
        assertThat(r.msg()).contains("/no/such/binary");
        assertThat(engine.inspect(name + "-1")).isEmpty();
        assertThat(gpuHolders()).isEqualTo(before);
        assertThat(portHolders()).isEqualTo(portsBefore);
        assertThat(keysNaming(name)).isEmpty();
    }

    static Stream<Arguments> badCreates() {
        return Stream.of(
                Arguments.of("name with dash", Map.of("replicaSetName", "a-b"), 400, 1003),
                Arguments.of("name with slash", Map.of("replicaSetName", "a/b"), 400, 1003),
                Arguments.of("empty name", Map.of("replicaSetName", ""), 400, 1002),
                Arguments.of("empty image", Map.of("imageName", ""), 400, 1001),
                Arguments.of("negative GPUs", Map.of("gpuCount", -1), 400, 1012),
                Arguments.of("absurd GPUs", Map.of("gpuCount", 100000), 400, 1012),
                Arguments.of("bind dest /", Map.of("binds", List.of(Map.of("src", "/tmp", "dest", "/"))), 400, 1040),
                Arguments.of("relative bind dest", Map.of("binds", List.of(Map.of("src", "/tmp", "dest", "data"))), 400, 1040),
                Arguments.of("unknown volume", Map.of("binds", List.of(Map.of("src", "novolume123", "dest", "/data"))), 400, 1040),
                Arguments.of("bad env", Map.of("env", List.of("NOEQUALS")), 400, 1000),
                Arguments.of("bad port", Map.of("containerPorts", List.of("http")), 400, 1000),
                Arguments.of("port out of range", Map.of("containerPorts", List.of("70000")), 400, 1000),
                Arguments.of("wrong type", Map.of("gpuCount", "two"), 400, 1000));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCreates")
    void badCreateGetsA4xxAndChangesNothing(String what, Map<String, Object> override, int status, int code) {
        String name = name("bad");
        Map<String, Object> body = new HashMap<>(createBody(name, 1, SLEEP, List.of("22")));
        body.putAll(override);
        Map<String, String> gpusBefore = gpuHolders();
        Map<Integer, String> portsBefore = portHolders();
        Api.Reply r = api.post("/replicaSet", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        assertThat(r.msg()).isNotBlank();
        assertThat(gpuHolders()).isEqualTo(gpusBefore);
        assertThat(portHolders()).isEqualTo(portsBefore);
        assertThat(containersOf(name)).isEmpty();
        assertThat(keysNaming(name)).isEmpty();
    }

    @Test
    void malformedJsonAndUnknownNamesAreClientErrors() {
        Api.Reply malformed = api.sendRaw("POST", "/replicaSet", "{\"imageName\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.code()).isEqualTo(1000);
        assertThat(malformed.msg()).contains("malformed JSON");

        String ghost = "ghost" + UUID.randomUUID().toString().substring(0, 6).replace("-", "");
        for (Api.Reply r : List.of(api.get("/replicaSet/" + ghost), api.get("/replicaSet/" + ghost + "/history"),
                api.patch("/replicaSet/" + ghost + "/stop", null), api.patch("/replicaSet/" + ghost + "/pause", null),
                api.patch("/replicaSet/" + ghost + "/continue", null), api.patch("/replicaSet/" + ghost, Map.of()),
                api.delete("/replicaSet/" + ghost))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(404);
            assertThat(r.code()).isEqualTo(1016);
            assertThat(r.msg()).contains(ghost);
        }
        Api.Reply dashed = api.get("/replicaSet/a-b");
        assertThat(dashed.status()).isEqualTo(400);
        assertThat(dashed.code()).isEqualTo(1003);
    }

    @Test
    void duplicateNameIsAConflict() {
        String name = name("dup");
        create(name, 0);
        Api.Reply again = api.post("/replicaSet", createBody(name, 1, SLEEP, List.of()));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isEqualTo(1008);
        assertThat(containersOf(name)).hasSize(1);
    }
}
