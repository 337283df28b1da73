package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpudocker.volume.VolumeJanitor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The original's data-disk flow while the instance runs: grow its volume, then rebind the instance from the old
 * version to the new. The containers that mount the volume are frozen for the copy, so the new version is the
 * volume at one instant even though a writer never stops; the old version stays until nothing is bound to it.
 */
class LiveVolumeResizeIT extends IntegrationTestBase {
    /** Appends i to a, then i to b, forever: at any instant a has as many lines as b, or one more. */
    private static final List<String> WRITER = List.of("sh", "-c",
            "i=0; while :; do echo $i >> /data/a; echo $i >> /data/b; i=$((i+1)); done");

    @Autowired
    VolumeJanitor janitor;

    private String volume;
    private String replicaSet;

    @AfterEach
    void removeVolume() {
        if (replicaSet != null) {
            assertThat(api.delete("/replicaSet/" + replicaSet).status()).isIn(200, 404);
        }
        if (volume != null) {
            Api.Reply r = api.delete("/volumes/" + volume);
            assertThat(r.status()).as("delete volume %s: %s", volume, r).isIn(200, 404);
            assertThat(volumeEngine.inspectVolume(volume + "-1")).isEmpty();
            assertThat(volumeEngine.inspectVolume(volume + "-2")).isEmpty();
        }
    }

    @Test
    void growingAVolumeUnderARunningWriterCopiesOneInstantAndKeepsTheOldVersionUntilTheRebind() throws Exception {
        volume = "live" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        assertThat(api.post("/volumes", Map.of("name", volume, "size", "200MB")).status()).isEqualTo(200);
        replicaSet = name("live");
        Map<String, Object> body = createBody(replicaSet, 0, WRITER, List.of());
        body.put("binds", List.of(Map.of("src", volume + "-1", "dest", "/data")));
        assertThat(api.post("/replicaSet", body).status()).isEqualTo(200);
        Path v1 = Path.of(volumeEngine.inspectVolume(volume + "-1").orElseThrow().mountpoint());
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(v1.resolve("b")) && Files.size(v1.resolve("b")) > 100_000);

        Api.Reply grown = api.patch("/volumes/" + volume + "/size", Map.of("size", "400MB"));
        assertThat(grown.status()).as(grown.toString()).isEqualTo(200);
        assertThat(grown.data().path("name").asString()).isEqualTo(volume + "-2");
        assertThat(grown.data().path("frozen").get(0).asString()).isEqualTo(replicaSet + "-1");
        assertThat(grown.data().path("warning").isNull()).isTrue();

        // the instance was frozen and thawed, never stopped: it runs and its writer carries on in the old version
        assertThat(engine.inspect(replicaSet + "-1").orElseThrow().status()).isEqualTo("running");
        Path v2 = Path.of(volumeEngine.inspectVolume(volume + "-2").orElseThrow().mountpoint());
        long copiedA = consecutiveLines(v2.resolve("a"));
        long copiedB = consecutiveLines(v2.resolve("b"));
        assertThat(copiedA - copiedB).as("a and b copied at one instant (a: %d lines, b: %d)", copiedA, copiedB).isBetween(0L, 1L);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(v1.resolve("b")) > Files.size(v2.resolve("b")));

        // the old version stays while the instance is bound to it
        janitor.sweep(volume);
        assertThat(volumeEngine.inspectVolume(volume + "-1")).as("the old version, still mounted by the running instance").isPresent();
        assertThat(api.get("/volumes/" + volume + "/history").data().path("history"))
                .allSatisfy(v -> assertThat(v.path("present").asBoolean()).as(v.toString()).isTrue()).hasSize(2);

        Api.Reply rebound = api.patch("/replicaSet/" + replicaSet, Map.of("volumePatch", Map.of(
                "oldBind", Map.of("src", volume + "-1", "dest", "/data"),
                "newBind", Map.of("src", volume + "-2", "dest", "/data"))));
        assertThat(rebound.status()).as(rebound.toString()).isEqualTo(200);
        assertThat(rebound.data().path("containerName").asString()).isEqualTo(replicaSet + "-2");
        assertThat(volumeEngine.containersUsingVolume(volume + "-2")).contains(replicaSet + "-2");
        assertThat(engine.inspect(replicaSet + "-1").orElseThrow().running()).isFalse();
        janitor.sweep(volume);
        assertThat(volumeEngine.inspectVolume(volume + "-1")).as("the old version, bound by the kept version 1 (a rollback target)").isPresent();

        assertThat(api.delete("/replicaSet/" + replicaSet).status()).isEqualTo(200);
        replicaSet = null;
        assertThat(janitor.sweep(volume)).containsExactly(volume + "-1");
        assertThat(volumeEngine.inspectVolume(volume + "-2")).isPresent();
    }

    /** The number of lines, after checking they are 0, 1, 2, ... each complete (no torn last line). */
    private static long consecutiveLines(Path file) throws Exception {
        String text = Files.readString(file);
        assertThat(text).as("%s ends with a complete line", file).endsWith("\n");
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            assertThat(lines[i]).as("line %d of %s", i, file).isEqualTo(Integer.toString(i));
        }
        return lines.length;
    }
}
