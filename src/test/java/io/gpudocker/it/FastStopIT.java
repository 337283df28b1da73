package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.replicaset.ReplicaSetVersion;
import io.gpudocker.store.Json;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Stops that do not wait out a grace period that cannot help, and keep it where it does: with a realistic
 * 10 s stop timeout, an instance whose command ignores SIGTERM stops in under 2 s when it is updated,
 * paused or stopped, while one whose command handles SIGTERM receives it and has its time to finish.
 * Instances run Docker's init as PID 1 unless created with {@code "init": false}, and every version keeps
 * that choice.
 */
class FastStopIT extends IntegrationTestBase {
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final Duration FAST = Duration.ofSeconds(2);
    private static final List<String> DEAF = List.of("sleep", "2147483647");
    /** Writes a marker on SIGTERM, takes 3 s to finish it, then exits. */
    private static final List<String> HANDLES_TERM = List.of("sh", "-c",
            "trap 'echo term > /root/marker; sleep 3; echo finished >> /root/marker; exit 0' TERM; while true; do sleep 1 & wait $!; done");

    @Autowired
    DockerClient docker;
    @Autowired
    MeterRegistry metrics;

    @DynamicPropertySource
    static void realisticGrace(DynamicPropertyRegistry registry) {
        registry.add("gda.docker.stop-timeout", () -> GRACE.toSeconds() + "s");
    }

    @Test
    void sleepUnderTheDefaultInitUpdatesPausesAndStopsFast() {
        assertFastStops(createWith(name("deafinit"), DEAF, null));
    }

    @Test
    void sleepAsPid1WithoutInitUpdatesPausesAndStopsFast() {
        assertFastStops(createWith(name("deafpid1"), DEAF, false));
    }

    @Test
    void anInteractiveShellUnderInitIgnoresSigtermAndStillStopsFast() {
        // a tty and open stdin make the shell interactive, and an interactive shell ignores SIGTERM
        assertFastStops(createWith(name("deafshell"), List.of("sh"), null));
    }

    @Test
    void aCommandThatHandlesSigtermUnderInitReceivesItAndGetsItsGrace() {
        assertGraceGiven(createWith(name("graceinit"), HANDLES_TERM, null));
    }

    @Test
    void aCommandThatHandlesSigtermAsPid1ReceivesItAndGetsItsGrace() {
        assertGraceGiven(createWith(name("gracepid1"), HANDLES_TERM, false));
    }

    @Test
    void withoutInitTheCommandIsPid1InEveryVersionAndTheChoiceIsRecorded() {
        String plain = createWith(name("noinit"), DEAF, false);
        String withInit = createWith(name("withinit"), DEAF, null);
        assertThat(pid1(withInit)).isEqualTo("docker-init");
        assertThat(api.get("/replicaSet/" + withInit).data().path("init").asBoolean()).isTrue();

        assertThat(pid1(plain)).isEqualTo("sleep");
        assertThat(patch(plain, Map.of("gpuPatch", Map.of("gpuCount", 1)))).isEqualTo(plain + "-2");
        assertThat(patch(plain, Map.of())).isEqualTo(plain + "-3");
        assertThat(api.patch("/replicaSet/" + plain + "/rollback", Map.of("version", 1)).status()).isEqualTo(200);
        assertThat(api.patch("/replicaSet/" + plain + "/restart", Map.of()).status()).isEqualTo(200);

        assertThat(pid1(plain)).as("PID 1 of version 5").isEqualTo("sleep");
        JsonNode detail = api.get("/replicaSet/" + plain).data();
        assertThat(detail.path("version").asLong()).isEqualTo(5);
        assertThat(detail.path("init").asBoolean(true)).isFalse();
        assertThat(detail.path("info").path("hostConfig").path("Init").asBoolean(true)).isFalse();
        for (JsonNode item : api.get("/replicaSet/" + plain + "/history").data().path("history")) {
            long v = item.path("version").asLong();
            assertThat(item.path("status").path("spec").path("init").asBoolean(true)).as("spec of version %d", v).isFalse();
            if (!item.path("snapshotAvailable").asBoolean()) {
                continue; // pruned by the history limit
            }
            String container = plain + "-" + v;
            assertThat(docker.inspectContainerCmd(container).exec().getHostConfig().getInit()).as("Docker's Init of %s", container).isFalse();
            // what --recover rebuilds etcd from
            ReplicaSetVersion labelled = Json.read(engine.inspect(container).orElseThrow().label(ManagedLabels.RECORD), ReplicaSetVersion.class);
            assertThat(labelled.spec().init()).as("record label of %s", container).isFalse();
        }
    }

    private void assertFastStops(String name) {
        exec(name, "head -c 1048576 /dev/urandom > /root/payload");
        String sum = exec(name, "md5sum /root/payload");

        long started = System.nanoTime();
        Duration stopStep = stopStepOf(() -> patch(name, Map.of()));
        Duration update = Duration.ofNanos(System.nanoTime() - started);
        assertThat(exec(name, "md5sum /root/payload")).as("files carried into version 2").isEqualTo(sum);
        // the stop step as the service timed it: the whole call adds Docker's create and start, which on a
        // loaded shared machine alone can pass 2 s; a stop that waited out the grace would pass 10 s
        assertThat(stopStep).as("the stop step of PATCH {}").isLessThan(FAST);
        assertThat(update).as("PATCH {}").isLessThan(GRACE);

        assertThat(timed(() -> api.patch("/replicaSet/" + name + "/pause", Map.of()))).as("pause").isLessThan(FAST);
        assertThat(api.get("/replicaSet/" + name).data().path("state").asString()).isEqualTo("paused");
        assertThat(api.patch("/replicaSet/" + name + "/continue", Map.of()).status()).isEqualTo(200);
        assertThat(timed(() -> api.patch("/replicaSet/" + name + "/stop", Map.of()))).as("stop").isLessThan(FAST);
        assertThat(api.get("/replicaSet/" + name).data().path("state").asString()).isEqualTo("stopped");
    }

    /** How long the update {@code call} makes spent stopping the old container, as the service timed it. */
    private Duration stopStepOf(Runnable call) {
        double before = secondsStopping();
        call.run();
        return Duration.ofMillis(Math.round((secondsStopping() - before) * 1000));
    }

    /** Seconds the service's updates have spent stopping containers so far (the gda.update.phases timer). */
    private double secondsStopping() {
        Timer timer = metrics.find("gda.update.phases").tag("phase", "stop").timer();
        return timer == null ? 0 : timer.totalTime(TimeUnit.SECONDS);
    }

    private void assertGraceGiven(String name) {
        Duration stopStep = stopStepOf(() -> patch(name, Map.of()));

        assertThat(exec(name, "cat /root/marker")).as("the marker its handler wrote, carried into version 2").isEqualTo("term\nfinished\n");
        assertThat(stopStep).as("the stop waited for the handler, and no longer").isBetween(Duration.ofSeconds(3), GRACE);
    }

    private String createWith(String name, List<String> cmd, Boolean init) {
        Map<String, Object> body = new HashMap<>(createBody(name, 0, cmd, List.of()));
        if (init != null) {
            body.put("init", init);
        }
        Api.Reply r = api.post("/replicaSet", body);
        assertThat(r.status()).as("create %s: %s", name, r).isEqualTo(200);
        return name;
    }

    private String patch(String name, Object body) {
        Api.Reply r = api.patch("/replicaSet/" + name, body);
        assertThat(r.status()).as("patch %s: %s", name, r).isEqualTo(200);
        return r.data().path("containerName").asString();
    }

    private String pid1(String name) {
        return exec(name, "cat /proc/1/comm").trim();
    }

    private static Duration timed(Supplier<?> call) {
        long started = System.nanoTime();
        call.get();
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
