package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * A Docker daemon that stops answering (SIGSTOP: it keeps accepting connections, as a hung daemon does) is
 * a prompt 503 with code 1051, never a hang that holds the replicaset's lock; once it answers again
 * (SIGCONT) the same calls succeed without restarting the service. The periodic reconcile is slowed down
 * here so that the timings measure the calls alone (a reconcile pass holding the name while Docker does not
 * answer adds at most one response timeout).
 */
// a prefix and a context of its own: a context left running on the shared prefix would, once its reconcile
// period is up, take the other contexts' creates in flight (whose name locks it cannot see) for interrupted ones
@TestPropertySource(properties = {"gda.reconcile.period=10m", "gda.etcd.prefix=/gpu-docker-api-hang-it"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DockerHangIT extends IntegrationTestBase {
    static final Duration PROMPT = Duration.ofSeconds(5);

    @Test
    void aStoppedDaemonIsAPrompt503AndEverythingRecoversWhenItContinues() throws Exception {
        String name = name("hang");
        create(name, 1);
        long dockerd = Long.parseLong(Files.readString(Path.of(System.getenv().getOrDefault("GDA_TEST_DIR", "/tmp/gda-test"), "docker.pid")).trim());
        try {
            signal("STOP", dockerd);
            Api.Reply get = timed("GET while dockerd is stopped", () -> api.get("/replicaSet/" + name));
            assertUnavailable(get);
            Api.Reply patch = timed("PATCH while dockerd is stopped", () -> api.patch("/replicaSet/" + name, Map.of("gpuPatch", Map.of("gpuCount", 2))));
            assertUnavailable(patch);
            Api.Reply again = timed("a second PATCH (the first left no lock held)", () -> api.patch("/replicaSet/" + name, Map.of()));
            assertUnavailable(again);
        } finally {
            signal("CONT", dockerd);
        }
        long resumed = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(api.get("/replicaSet/" + name).status()).isEqualTo(200));
        System.out.printf("DockerHangIT: GET answered 200 again %d ms after SIGCONT%n", Duration.ofNanos(System.nanoTime() - resumed).toMillis());
        Api.Reply get = api.get("/replicaSet/" + name);
        assertThat(get.data().path("version").asLong()).as("nothing was made while Docker did not answer: %s", get).isEqualTo(1);
        assertThat(get.data().path("containerStatus").asString()).isEqualTo("running");
        Api.Reply patch = api.patch("/replicaSet/" + name, Map.of("gpuPatch", Map.of("gpuCount", 2)));
        assertThat(patch.status()).as(patch.toString()).isEqualTo(200);
        assertThat(patch.data().path("containerName").asString()).isEqualTo(name + "-2");
        assertThat(gpusOf(name)).hasSize(2);
    }

    private static void assertUnavailable(Api.Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(503);
        assertThat(r.code()).as(r.toString()).isEqualTo(1051);
        assertThat(r.msg()).as(r.toString()).contains("Docker").contains("did not answer");
    }

    private static Api.Reply timed(String what, Supplier<Api.Reply> call) {
        long started = System.nanoTime();
        Api.Reply r = call.get();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("DockerHangIT: %s answered %d in %d ms%n", what, r.status(), took.toMillis());
        assertThat(took).as("%s answered in time: %s", what, r).isLessThan(PROMPT);
        return r;
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
    }
}
