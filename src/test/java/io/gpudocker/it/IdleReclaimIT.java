package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Idle reclaim on the real rig, with the GPU stand-in reporting a timeline the test writes: an instance whose GPU stays
 * at 2% is warned, then dropped to cardless; one at 95% is left alone; an idle one with an exec session open is spared.
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

    /** Each GPU of the rig: 2% where listed idle, {@code busy}% otherwise. */
    private void writeTimeline(List<String> idleGpus, int busy) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (JsonNode g : api.get("/resources/gpus").data().path("inventory")) {
            String uuid = g.path("uuid").asString();
            lines.append(uuid).append(idleGpus.contains(uuid) ? ", 2, 100, 81920, 30, 60.00\n" : ", " + busy + ", 50000, 81920, 70, 300.00\n");
        }
        Path tmp = rigDir().resolve("gpu-telemetry.csv.tmp");
        Files.writeString(tmp, lines);
        Files.move(tmp, rigDir().resolve("gpu-telemetry.csv"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
