package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Idle reclaim on the real rig, with the GPU stand-in reporting a timeline the test writes: an instance whose GPU stays
 * at 2% is warned, then dropped to cardless; one at 95% is left alone; an idle one with an exec session open is spared.
 * An instance's own policy overrides the operator's: one at 30% under its own 50% is warned (an event) then stopped,
 * one whose policy is off stays at 2% untouched.
 */
@TestPropertySource(properties = {"gda.telemetry.period=1s", "gda.reclaim.idle-below-percent=10", "gda.reclaim.idle-for=8s",
        "gda.reclaim.grace=5s", "gda.reclaim.action=cardless"})
class IdleReclaimIT extends IntegrationTestBase {
    private Path rigDir() {
        return Path.of(props.gpu().nvidiaSmi()).toAbsolutePath().getParent().getParent();
    }

    @AfterEach
    void busyAgain() throws IOException {
        Files.deleteIfExists(rigDir().resolve("gpu-telemetry.csv"));
    }

    @Test
    void anIdleInstanceIsWarnedThenDroppedToCardlessABusyOneAndOneWithASessionAreLeftAlone() throws IOException {
        String idle = name("idle");
        String busy = name("busy");
        String session = name("sess");
        // every GPU busy while the instances start, so no idle stretch begins early
        writeTimeline(List.of(), 95);
        create(idle, 1);
        create(busy, 1);
        create(session, 1);
        RigShell.docker(props.docker().host(), "exec", "-d", session + "-1", "sleep", "120");
        List<String> idleGpus = List.of(gpusOf(idle).get(0), gpusOf(session).get(0));
        writeTimeline(idleGpus, 95);

        AtomicBoolean warnedBeforeActing = new AtomicBoolean();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonNode m = api.get("/replicaSet/" + idle + "/metrics").data();
            JsonNode detail = api.get("/replicaSet/" + idle).data();
            if (m.path("idle").path("warned").asBoolean(false) && detail.path("version").asLong() == 1) {
                warnedBeforeActing.set(true);
            }
            assertThat(detail.path("version").asLong()).isEqualTo(2);
            assertThat(detail.path("gpuCount").asInt()).isZero();
            assertThat(detail.path("state").asString()).isEqualTo("running");
        });
        assertThat(warnedBeforeActing).as("the grace warning showed before the action").isTrue();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(api.get("/replicaSet/" + session + "/metrics").data().path("idle").path("sparedForSession").asBoolean()).isTrue());
        JsonNode b = api.get("/replicaSet/" + busy).data();
        assertThat(b.path("version").asLong()).isEqualTo(1);
        assertThat(b.path("gpus")).hasSize(1);
        assertThat(api.get("/replicaSet/" + busy + "/metrics").data().path("idle").isNull()).isTrue();
        JsonNode s = api.get("/replicaSet/" + session).data();
        assertThat(s.path("version").asLong()).as("an open session spares it").isEqualTo(1);
        assertThat(s.path("gpus")).hasSize(1);
    }

    @Test
    void anInstancesOwnPolicyOverridesTheOperatorsAndItsWarningEventComesBeforeTheAction() throws Exception {
        String eager = name("eager");
        String exempt = name("exempt");
        writeTimeline(List.of(), 95);
        create(eager, 1);
        create(exempt, 1);

        Api.Reply bad = api.put("/replicaSet/" + eager + "/reclaim", Map.of("idleBelowPercent", 50, "idleFor", "5s", "grace", "5s"));
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.code()).isEqualTo(1115);
        assertThat(bad.msg()).contains("grace 5s is not shorter than idleFor 5s");
        assertThat(api.put("/replicaSet/" + eager + "/reclaim", Map.of("action", "delete")).code()).isEqualTo(1115);
        assertThat(api.get("/replicaSet/" + eager + "/reclaim").data().path("source").asString()).as("nothing kept").isEqualTo("default");

        Api.Reply own = api.put("/replicaSet/" + eager + "/reclaim", Map.of("idleBelowPercent", 50, "idleFor", "6s", "grace", "3s", "action", "stop"));
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(api.put("/replicaSet/" + exempt + "/reclaim", Map.of("off", true)).status()).isEqualTo(200);
        JsonNode shown = api.get("/replicaSet/" + eager + "/reclaim").data();
        assertThat(shown.path("source").asString()).isEqualTo("instance");
        assertThat(shown.path("action").asString()).isEqualTo("stop");
        assertThat(shown.path("idleBelowPercent").asInt()).isEqualTo(50);

        try (EventStreamReader events = EventStreamReader.open(api, "/events?since=0", null)) {
            // 30% is busy by the operator's 10%, idle by the instance's own 50%; the exempt one sits at 2%
            writeTimeline(List.of(gpusOf(exempt).get(0)), 95, Map.of(gpusOf(eager).get(0), 30));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertThat(api.get("/replicaSet/" + eager).data().path("state").asString()).isEqualTo("stopped"));
            List<EventStreamReader.Received> told = events.await(e -> eager.equals(e.instance()) && !e.type().equals("created"), 3, Duration.ofSeconds(20));
            assertThat(told.subList(0, 3)).extracting(EventStreamReader.Received::type).containsExactly("reclaim-warning", "stopped", "reclaimed");
            assertThat(told.get(0).data().path("detail").asString()).contains("stopping it", "instance policy");
            assertThat(told.get(0).data().path("tenant").asString()).isEqualTo("admin");
            // well past the operator's 8s: the exempt one is neither warned nor acted on
            Thread.sleep(10_000);
            JsonNode e = api.get("/replicaSet/" + exempt).data();
            assertThat(e.path("version").asLong()).isEqualTo(1);
            assertThat(e.path("gpus")).hasSize(1);
            assertThat(api.get("/replicaSet/" + exempt + "/metrics").data().path("idle").isNull()).isTrue();
            assertThat(events.received(ev -> exempt.equals(ev.instance()) && ev.type().startsWith("reclaim"))).isEmpty();
        }
        assertThat(api.delete("/replicaSet/" + exempt + "/reclaim").data().path("source").asString()).isEqualTo("default");
        assertThat(api.get("/replicaSet/" + exempt + "/reclaim").data().path("action").asString()).isEqualTo("cardless");
    }

    private void writeTimeline(List<String> idleGpus, int busy) throws IOException {
        writeTimeline(idleGpus, busy, Map.of());
    }

    /** Each GPU of the rig: 2% where listed idle, its figure in {@code others} where it has one, {@code busy}% otherwise. */
    private void writeTimeline(List<String> idleGpus, int busy, Map<String, Integer> others) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (JsonNode g : api.get("/resources/gpus").data().path("inventory")) {
            String uuid = g.path("uuid").asString();
            lines.append(uuid).append(idleGpus.contains(uuid) ? ", 2, 100, 81920, 30, 60.00\n"
                    : ", " + others.getOrDefault(uuid, busy) + ", 50000, 81920, 70, 300.00\n");
        }
        Path tmp = rigDir().resolve("gpu-telemetry.csv.tmp");
        Files.writeString(tmp, lines);
        Files.move(tmp, rigDir().resolve("gpu-telemetry.csv"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
