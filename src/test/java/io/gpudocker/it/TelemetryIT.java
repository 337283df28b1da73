package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Telemetry on the real rig: the nvidia-smi stand-in reports the utilization, memory and processes this test writes;
 * the sampler maps the process to its instance through the container's cgroup, reads the container's CPU and memory,
 * and the figures show in the instance's metrics, in the GPU view and in the Prometheus scrape. A tenant sees only its
 * own instance's metrics.
 */
@TestPropertySource(properties = "gda.telemetry.period=1s")
class TelemetryIT extends IntegrationTestBase {
    private final List<String> tenants = new ArrayList<>();

    /** Where the stand-in reads its telemetry files: beside its GPU fixture, one directory above its own. */
    private Path rigDir() {
        return Path.of(props.gpu().nvidiaSmi()).toAbsolutePath().getParent().getParent();
    }

    @AfterEach
    void forgetFiguresAndTenants() throws IOException {
        Files.deleteIfExists(rigDir().resolve("gpu-telemetry.csv"));
        Files.deleteIfExists(rigDir().resolve("gpu-apps.csv"));
        for (String t : tenants) {
            assertThat(api.delete("/tokens/" + t).status()).isIn(200, 404);
        }
    }

    @Test
    void aBusyInstancesGpusProcessCpuAndMemoryShowInItsMetricsTheGpuViewAndTheScrape() throws IOException {
        String job = name("telemetry");
        create(job, 2);
        List<String> held = gpusOf(job);
        String pid = RigShell.docker(props.docker().host(), "inspect", "-f", "{{.State.Pid}}", job + "-1").trim();
        StringBuilder lines = new StringBuilder();
        for (JsonNode g : api.get("/resources/gpus").data().path("inventory")) {
            String uuid = g.path("uuid").asString();
            lines.append(uuid).append(held.contains(uuid) ? ", 87, 30000, 81920, 66, 310.25\n" : ", 0, 0, 81920, 31, 55.00\n");
        }
        Files.writeString(rigDir().resolve("gpu-telemetry.csv"), lines);
        Files.writeString(rigDir().resolve("gpu-apps.csv"), pid + ", " + held.get(0) + ", 29000, python3\n");
        // burn CPU in the container for the samples to see
        api.post("/replicaSet/" + job + "/execute", Map.of("cmd", List.of("sh", "-c", "timeout 20 sh -c 'while :; do :; done' >/dev/null 2>&1 & echo started")));

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode latest = api.get("/replicaSet/" + job + "/metrics").data().path("latest");
            assertThat(latest.path("gpus")).hasSize(2);
            assertThat(latest.path("gpus").get(0).path("utilizationPercent").asInt()).isEqualTo(87);
            assertThat(latest.path("processes")).hasSize(1);
            assertThat(latest.path("processes").get(0).path("pid").asString()).isEqualTo(pid);
            assertThat(latest.path("memoryBytes").asLong()).isPositive();
            assertThat(latest.path("cpuPercent").asDouble()).as("a busy loop").isGreaterThan(20.0);
        });
        JsonNode metrics = api.get("/replicaSet/" + job + "/metrics?since=1m").data();
        assertThat(metrics.path("periodSeconds").asLong()).isEqualTo(1);
        assertThat(metrics.path("recent").size()).isGreaterThanOrEqualTo(2);
        assertThat(metrics.path("recent").get(metrics.path("recent").size() - 1).path("gpuUtilizationPercent").asDouble()).isEqualTo(87.0);
        assertThat(metrics.path("recent").get(metrics.path("recent").size() - 1).path("gpuMemoryUsedMiB").asLong()).isEqualTo(60000);

        for (JsonNode g : api.get("/resources/gpus").data().path("inventory")) {
            assertThat(g.path("telemetry").path("utilizationPercent").asInt()).as(g.toString()).isEqualTo(held.contains(g.path("uuid").asString()) ? 87 : 0);
        }
        String scrape = new Api("http://127.0.0.1:" + port, ADMIN_TOKEN).text("/actuator/prometheus");
        assertThat(scrape).containsPattern("gda_gpu_utilization_percent\\{[^}]*gpu_uuid=\"" + held.get(0) + "\"[^}]*instance=\"" + job
                + "\"[^}]*tenant=\"admin\"[^}]*} 87\\.0");
        assertThat(scrape).containsPattern("gda_instance_gpu_utilization_percent\\{instance=\"" + job + "\",node=\"[^\"]+\",tenant=\"admin\"} 87\\.0");
        assertThat(scrape).containsPattern("gda_instance_memory_bytes\\{instance=\"" + job + "\"");
    }

    @Test
    void aTenantSeesOnlyItsOwnInstancesMetricsAndABadSinceIsRefused() {
        String job = name("tmetrics");
        create(job, 0);
        Api other = tenant("tother");
        Api.Reply hidden = other.get("/replicaSet/" + job + "/metrics");
        assertThat(hidden.status()).as(hidden.toString()).isEqualTo(404);
        Api.Reply bad = api.get("/replicaSet/" + job + "/metrics?since=yesterday");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.code()).isEqualTo(1111);
        assertThat(bad.msg()).contains("yesterday");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get("/replicaSet/" + job + "/metrics").data().path("latest").path("gpus").isArray()).isTrue());
    }

    private Api tenant(String base) {
        String name = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api.Reply issued = api.post("/tokens", Map.of("name", name));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        tenants.add(name);
        return api.as(issued.data().path("token").asString());
    }
}
