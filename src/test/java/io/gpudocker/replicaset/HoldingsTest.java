package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.store.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The holdings value, and records that gather it without changing what they store. */
class HoldingsTest {
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("img", 1, List.of(), List.of(), List.of("sleep", "1"), List.of("22", "8888"), null, null, null, true);

    @Test
    void absentPartsAreEmptyAndThePortMapKeepsItsOrder() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("8888", 40001);
        ports.put("22", 40000);

        Holdings h = new Holdings(null, ports, null, 0);

        assertThat(h.gpus()).isEmpty();
        assertThat(h.cores()).isEmpty();
        assertThat(h.ports().keySet()).containsExactly("8888", "22");
        assertThat(h.hostPorts()).containsExactly(40001, 40000);
        assertThat(Holdings.NONE.hostPorts()).isEmpty();
    }

    @Test
    void aRecordGathersItsHoldingsAndStoresTheSameFieldsAsBefore() {
        ReplicaSetRecord record = new ReplicaSetRecord("foo", 2, ReplicaSetState.RUNNING, List.of("GPU-0"), Map.of("22", 40000),
                Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-02T00:00:00Z"), "alice", List.of(3, 4), 1024L, "gpu1");

        assertThat(record.holdings()).isEqualTo(new Holdings(List.of("GPU-0"), Map.of("22", 40000), List.of(3, 4), 1024L));
        JsonNode json = JsonMapper.builder().build().readTree(Json.write(record));
        assertThat(json.propertyNames()).containsExactlyInAnyOrder(
                "name", "version", "state", "gpus", "ports", "createTime", "updateTime", "tenant", "cpus", "memory", "node", "image");
        assertThat(Json.read(Json.write(record), ReplicaSetRecord.class)).isEqualTo(record);
    }

    @Test
    void aVersionGathersItsHoldingsAndStoresTheSameFieldsAsBefore() {
        ReplicaSetVersion version = new ReplicaSetVersion("foo", 1, "foo-1", Instant.parse("2024-01-01T00:00:00Z"), "create", SPEC,
                List.of("GPU-0"), Map.of("22", 40000, "8888", 40001), List.of(1), 2048L, 64L);

        assertThat(version.holdings()).isEqualTo(new Holdings(List.of("GPU-0"), Map.of("22", 40000, "8888", 40001), List.of(1), 2048L));
        JsonNode json = JsonMapper.builder().build().readTree(Json.write(version));
        assertThat(json.propertyNames()).containsExactlyInAnyOrder(
                "replicaSet", "version", "containerName", "createTime", "cause", "spec", "gpus", "ports", "cpus", "memory", "shmSize");
    }

    @Test
    void runningAVersionHoldsExactlyItsHoldingsAndStoppingHoldsNone() {
        ReplicaSetRecord record = new ReplicaSetRecord("foo", 1, ReplicaSetState.STOPPED, List.of(), Map.of(), Instant.now(), Instant.now(), "alice");
        ReplicaSetVersion version = new ReplicaSetVersion("foo", 2, "foo-2", Instant.now(), "restart", SPEC,
                List.of("GPU-1"), Map.of("22", 40002), List.of(5), 4096L, 0L);

        ReplicaSetRecord running = record.running(version);

        assertThat(running.version()).isEqualTo(2);
        assertThat(running.state()).isEqualTo(ReplicaSetState.RUNNING);
        assertThat(running.holdings()).isEqualTo(version.holdings());
        assertThat(running.stopped().holdings()).isEqualTo(Holdings.NONE);
        assertThat(running.stopped().version()).isEqualTo(2);
    }
}
