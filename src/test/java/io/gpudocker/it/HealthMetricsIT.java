package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class HealthMetricsIT extends IntegrationTestBase {

    @Test
    void healthShowsDockerEtcdAndTheGpuInventory() {
        JsonNode health = Api.JSON.readTree(actuator().text("/actuator/health"));
        assertThat(health.path("status").asString()).as(health.toString()).isEqualTo("UP");
        JsonNode components = health.path("components");
        assertThat(components.path("etcd").path("status").asString()).isEqualTo("UP");
        assertThat(components.path("etcd").path("details").path("endpoints").asString()).isEqualTo(String.join(",", props.etcd().endpoints()));
        JsonNode docker = components.path("docker");
        assertThat(docker.path("status").asString()).isEqualTo("UP");
        assertThat(docker.path("details").path("storageDriver").asString()).isEqualTo("overlay2");
        assertThat(docker.path("details").has("backingFilesystem")).isTrue();
        assertThat(docker.path("details").has("dockerRootDir")).isTrue();
        JsonNode gpus = components.path("gpus").path("details");
        assertThat(gpus.path("total").asInt()).isEqualTo(8);
        assertThat(gpus.path("inventory")).hasSize(8);
        assertThat(gpus.path("inventory").get(0).path("uuid").asString()).startsWith("GPU-");
    }

    @Test
    void metricsCountOperationsAndShowResourceGauges() {
        String name = name("metrics");
        double before = operationCount("replicaSet.create", "success");
        create(name, 2);
        double notFoundBefore = operationCount("replicaSet.get", "client_error");
        assertThat(api.get("/replicaSet/nosuch" + name).status()).isEqualTo(404);

        String metrics = actuator().text("/actuator/prometheus");
        assertThat(operationCount("replicaSet.create", "success")).isEqualTo(before + 1);
        assertThat(operationCount("replicaSet.get", "client_error")).isEqualTo(notFoundBefore + 1);
        assertThat(metrics).contains("gda_operations_seconds_sum{");
        // each security filter is not timed on its own (a call is timed as a whole): that cost more than the filters' work
        assertThat(metrics).doesNotContain("spring_security_");
        assertThat(gauge(metrics, "gda_gpus_inventory")).isEqualTo(8);
        assertThat(gauge(metrics, "gda_gpus_held")).isGreaterThanOrEqualTo(2);
        assertThat(gauge(metrics, "gda_ports_free")).isLessThan(props.ports().parsed().size());
        assertThat(metrics).contains("gda_replicasets{state=\"running\"}", "gda_replicasets{state=\"paused\"}", "gda_replicasets{state=\"stopped\"}");
    }

    private Api actuator() {
        return new Api("http://127.0.0.1:" + port, ADMIN_TOKEN);
    }

    private double operationCount(String operation, String outcome) {
        Matcher m = Pattern.compile("gda_operations_seconds_count\\{operation=\"" + Pattern.quote(operation) + "\",outcome=\"" + outcome + "\"} (\\S+)")
                .matcher(actuator().text("/actuator/prometheus"));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static double gauge(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("%s in the scrape", name).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
