package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Stops etcd under a running service and starts it again. Uses a private etcd (own ports and data dir),
 * never the shared test etcd, so other test runs are not disturbed.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class EtcdOutageIT extends IntegrationTestBase {
    static final String CLIENT = "http://127.0.0.1:23890";
    static final String PEER = "http://127.0.0.1:23900";
    static final Duration FAST = Duration.ofMillis(2500);
    static Path dir;
    static Process etcd;

    @DynamicPropertySource
    static void privateEtcd(DynamicPropertyRegistry registry) throws Exception {
        if (dir == null) {
            dir = Files.createTempDirectory("gda-outage-etcd");
            startEtcd();
        }
        registry.add("gda.etcd.endpoints", () -> CLIENT);
    }

    @AfterAll
    static void removePrivateEtcd() throws IOException {
        // the context (closed after this class) must not outlive its etcd by much; kill and remove the data
        if (etcd != null) {
            etcd.destroyForcibly();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void callsFailFastWith503WhileEtcdIsDownAndRecoverWithoutARestart() throws Exception {
        String running = name("outage");
        create(running, 1);
        List<String> gpus = gpusOf(running);
        String newcomer = name("newcomer");
        String tenant = "outage" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api tenantApi = api.as(api.post("/tokens", Map.of("name", tenant)).data().path("token").asString());

        etcd.destroyForcibly().waitFor();

        Api root = new Api("http://127.0.0.1:" + port, ADMIN_TOKEN);
        String health = timed("health", () -> statusAndBody(root, "/actuator/health"));
        assertThat(health).startsWith("503 ");
        JsonNode components = Api.JSON.readTree(health.substring(4)).path("components");
        assertThat(components.path("etcd").path("status").asString()).isEqualTo("DOWN");
        assertThat(components.path("etcd").path("details").path("error").asString()).contains(CLIENT);
        assertThat(components.path("docker").path("status").asString()).isEqualTo("UP");

        expectEtcdDown(timed("get", () -> api.get("/replicaSet/" + running)));
        expectEtcdDown(timed("a tenant's token cannot be checked", () -> tenantApi.get("/replicaSet")));
        expectEtcdDown(timed("list", () -> api.get("/replicaSet")));
        expectEtcdDown(timed("history", () -> api.get("/replicaSet/" + running + "/history")));
        expectEtcdDown(timed("create", () -> api.post("/replicaSet", createBody(newcomer, 1, SLEEP, List.of("22")))));
        expectEtcdDown(timed("patch", () -> api.patch("/replicaSet/" + running, Map.of("gpuPatch", Map.of("gpuCount", 2)))));
        expectEtcdDown(timed("stop", () -> api.patch("/replicaSet/" + running + "/stop", null)));
        expectEtcdDown(timed("pause", () -> api.patch("/replicaSet/" + running + "/pause", null)));
        expectEtcdDown(timed("delete", () -> api.delete("/replicaSet/" + running)));

        // nothing partial: no container for the failed create or update, the running version untouched
        assertThat(containersOf(newcomer)).isEmpty();
        assertThat(containersOf(running)).hasSize(1);
        assertThat(engine.inspect(running + "-1").orElseThrow().running()).isTrue();
        assertThat(api.get("/resources/gpus").status()).as("in-memory views still answer").isEqualTo(200);
        assertThat(gpuHolders()).containsAllEntriesOf(Map.of(gpus.get(0), running)).hasSize(1);
        assertThat(root.text("/actuator/prometheus")).contains("outcome=\"unavailable\"");

        startEtcd();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(statusAndBody(root, "/actuator/health")).startsWith("200 "));
        Api.Reply back = api.get("/replicaSet/" + running);
        assertThat(back.status()).as(back.toString()).isEqualTo(200);
        assertThat(back.data().path("version").asLong()).isEqualTo(1);
        assertThat(back.data().path("state").asString()).isEqualTo("running");
        assertThat(api.post("/replicaSet", createBody(newcomer, 1, SLEEP, List.of("22"))).status()).isEqualTo(200);
        assertThat(api.patch("/replicaSet/" + running, Map.of("gpuPatch", Map.of("gpuCount", 2))).status()).isEqualTo(200);
    }

    private void expectEtcdDown(Api.Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(503);
        assertThat(r.code()).as(r.toString()).isEqualTo(1050);
        assertThat(r.msg()).as(r.toString()).contains("etcd").contains(CLIENT);
    }

    private static <T> T timed(String what, Supplier<T> call) {
        long started = System.nanoTime();
        T result = call.get();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("%s answered in time: %s", what, result).isLessThan(FAST);
        return result;
    }

    private static String statusAndBody(Api root, String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(root.authorized(HttpRequest.newBuilder(URI.create(root.base() + path))).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void startEtcd() throws Exception {
        etcd = new ProcessBuilder("etcd", "--name", "gda-outage", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", CLIENT, "--advertise-client-urls", CLIENT,
                "--listen-peer-urls", PEER, "--initial-advertise-peer-urls", PEER,
                "--initial-cluster", "gda-outage=" + PEER)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
                .start();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(URI.create(CLIENT + "/health")).build(), HttpResponse.BodyHandlers.ofString())
                        .body().contains("\"health\":\"true\""));
    }
}
