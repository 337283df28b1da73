package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.DockerConfigs;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.replicaset.bind.HostPathPolicy;
import io.gpudocker.store.ConfirmedIdentity;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Keys;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The answers of GET /replicaSet/{name} and its history, walked against the original project's documented response
 * schemas ({@link OriginalSchema}): every documented field present with its documented type, whether Docker still
 * holds the container or not, and with what Docker holds where it does.
 */
class OriginalShapeTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> GPUS = List.of("GPU-00000000-0000-4000-8000-000000000000", "GPU-00000000-0000-4000-8000-000000000001");
    private static final ReplicaSetSpec SPEC = new ReplicaSetSpec("gda-test:latest", 2,
            List.of(new Bind("data-1", "/root/foo-tmp"), new Bind("/mnt/nfs/foo", "/root/foo-fs")), List.of("JUPYTER_TOKEN=secret"),
            List.of("sleep", "infinity"), List.of("22", "443"), null, null, null, true);
    private static final Map<String, Integer> PORTS = Map.of("22/tcp", 40000, "443/tcp", 40001);

    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Intents operations = ConfirmedIdentity.operations(store, new Keys("/t"));
    private final ReplicaSetRepository repo = new ReplicaSetRepository(store, new Keys("/t"), operations);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final VersionContainers containers = new VersionContainers(engine, (volume, tenant) -> true, (image, tenant) -> engine.imageExists(image),
            new HostPathPolicy(List.of(), null, () -> null), "/t", () -> "test-cluster");
    private final ReplicaSetQueries queries = new ReplicaSetQueries(repo, engine, containers, new ProgressBoard(Clock.systemUTC()));

    @Test
    void theDocumentedSchemasAreTheOnesWalked() {
        int get = OriginalSchema.documentedProperties(OriginalSchema.responseSchema(OriginalSchema.GET));
        int history = OriginalSchema.documentedProperties(OriginalSchema.responseSchema(OriginalSchema.HISTORY));

        // envelope 3, data.info 1, info 7, config 18 + 2 ports, hostConfig 62 + 2 log + 2 ports + 2 x 2 bindings + 2 restart + 5 devices, networking 1, platform 2
        assertThat(get).isEqualTo(111);
        // envelope 3, data.history 1, item 3, status as info
        assertThat(history).isEqualTo(114);
    }

    @Test
    void theCurrentVersionCarriesWhatDockerHoldsForItsContainer() {
        recordTwoVersions();
        when(engine.inspect("foo-2")).thenReturn(Optional.of(inspected("running-gpu.json")));

        JsonNode answer = answer(queries.get("foo", Caller.ADMIN));
        OriginalSchema.Walk walk = OriginalSchema.walk(OriginalSchema.responseSchema(OriginalSchema.GET), answer);

        assertThat(walk.problems()).isEmpty();
        assertThat(walk.checked()).isEqualTo(111);
        JsonNode info = answer.path("data").path("info");
        JsonNode config = info.path("config");
        JsonNode host = info.path("hostConfig");
        assertThat(config.path("Hostname").asString()).as("Docker's").isEqualTo("4c01db0b339c");
        assertThat(config.path("Entrypoint").path(0).asString()).isEqualTo("/opt/nvidia/nvidia_entrypoint.sh");
        assertThat(host.path("NetworkMode").asString()).isEqualTo("default");
        assertThat(host.path("SecurityOpt").path(0).asString()).isEqualTo("no-new-privileges");
        assertThat(host.path("PidsLimit").asInt()).isEqualTo(4096);
        assertThat(host.path("Runtime").asString()).as("beyond the document too, as Docker gives it").isEqualTo("runc");
        assertThat(info.path("networkingConfig").path("EndpointsConfig").path("bridge").path("IPAddress").asString()).isEqualTo("172.17.0.3");
        assertThat(info.path("platform").path("os").isString()).isTrue();

        // what the service set from the record reads as it always did
        assertThat(texts(host.path("Binds"))).as("as written, not Docker's real path").containsExactly("data-1:/root/foo-tmp", "/mnt/nfs/foo:/root/foo-fs");
        assertThat(texts(config.path("Env"))).containsExactly("JUPYTER_TOKEN=secret", "CONTAINER_VERSION=2");
        assertThat(texts(config.path("Cmd"))).containsExactly("sleep", "infinity");
        assertThat(config.path("ExposedPorts").propertyNames()).containsExactlyInAnyOrder("22/tcp", "443/tcp");
        assertThat(host.path("PortBindings").path("22/tcp").path(0).path("HostPort").asString()).isEqualTo("40000");
        assertThat(texts(host.path("DeviceRequests").path(0).path("DeviceIDs"))).containsExactlyElementsOf(GPUS);
        assertThat(host.path("Init").asBoolean()).isTrue();
        assertThat(config.path("Labels").propertyNames()).as("no bookkeeping labels: no cluster id, operation or record")
                .containsExactlyInAnyOrder(ManagedLabels.OWNER, ManagedLabels.REPLICASET, ManagedLabels.VERSION, ManagedLabels.TENANT);
        assertThat(answer.toString()).doesNotContain(ManagedLabels.RECORD, ManagedLabels.CLUSTER, "6f1c2a3e-8b4d");
    }

    @Test
    void aCurrentVersionWhoseContainerIsGoneFallsBackToItsRecord() {
        recordTwoVersions();
        when(engine.inspect("foo-2")).thenReturn(Optional.empty());

        JsonNode answer = answer(queries.get("foo", Caller.ADMIN));
        OriginalSchema.Walk walk = OriginalSchema.walk(OriginalSchema.responseSchema(OriginalSchema.GET), answer);

        assertThat(walk.problems()).isEmpty();
        assertThat(walk.checked()).isEqualTo(111);
        JsonNode info = answer.path("data").path("info");
        assertThat(info.path("config").path("Hostname").asString()).as("Docker's default").isEmpty();
        assertThat(info.path("hostConfig").path("ConsoleSize")).hasSize(2);
        assertThat(info.path("networkingConfig").path("EndpointsConfig").isNull()).isTrue();
        assertThat(texts(info.path("hostConfig").path("Binds"))).containsExactly("data-1:/root/foo-tmp", "/mnt/nfs/foo:/root/foo-fs");
    }

    @Test
    void everyHistoryItemIsBuiltFromItsRecordWithoutADockerCallPerVersion() {
        recordTwoVersions();
        // version 1's container was pruned by the history limit
        when(engine.listByLabels(any())).thenReturn(List.of(new ContainerSummary("id-2", "foo-2", "running", true, false,
                ManagedLabels.replicaSetVersion("/t", "foo", 2))));

        JsonNode answer = answer(queries.history("foo", Caller.ADMIN));
        OriginalSchema.Walk walk = OriginalSchema.walk(OriginalSchema.responseSchema(OriginalSchema.HISTORY), answer);

        assertThat(walk.problems()).isEmpty();
        // envelope 3 and data.history 1, then per item its 3 and status's 107
        assertThat(walk.checked()).isEqualTo(4 + 2 * 110);
        JsonNode history = answer.path("data").path("history");
        assertThat(history.path(1).path("snapshotAvailable").asBoolean()).isFalse();
        JsonNode pruned = history.path(1).path("status");
        assertThat(pruned.path("config").path("WorkingDir").asString()).isEmpty();
        assertThat(texts(pruned.path("config").path("Env"))).containsExactly("JUPYTER_TOKEN=secret", "CONTAINER_VERSION=1");
        assertThat(texts(pruned.path("hostConfig").path("DeviceRequests").path(0).path("DeviceIDs"))).containsExactly(GPUS.get(0));
        verify(engine, never()).inspect(any());
    }

    @Test
    void aFieldThatGoesMissingOrChangesTypeFailsTheWalk() {
        recordTwoVersions();
        when(engine.inspect("foo-2")).thenReturn(Optional.empty());
        JsonNode answer = answer(queries.get("foo", Caller.ADMIN));
        JsonNode info = answer.path("data").path("info");
        ((ObjectNode) info.path("config")).remove("Hostname");
        ((ObjectNode) info.path("hostConfig")).putNull("Binds");
        ((ObjectNode) info.path("hostConfig").path("RestartPolicy")).put("MaximumRetryCount", "0");

        assertThat(OriginalSchema.walk(OriginalSchema.responseSchema(OriginalSchema.GET), answer).problems()).containsExactly(
                ".data.info.config.Hostname is missing",
                ".data.info.hostConfig.Binds is null null, documented as array",
                ".data.info.hostConfig.RestartPolicy.MaximumRetryCount is string \"0\", documented as integer");
    }

    /** Version 1 with one GPU, version 2 (current) with two, both with ports 22 and 443, of tenant alice. */
    private void recordTwoVersions() {
        Instant t = Instant.parse("2025-01-01T08:00:00Z");
        ReplicaSetRecord record = new ReplicaSetRecord("foo", 1, ReplicaSetState.RUNNING, GPUS.subList(0, 1), PORTS, t, t, "alice");
        repo.create(record, new ReplicaSetVersion("foo", 1, "foo-1", t, "create", SPEC.withGpuCount(1), GPUS.subList(0, 1), PORTS),
                operations.begin(Intent.start(Intent.REPLICASET, "create", "foo", 1)));
        var stored = repo.require("foo", Caller.ADMIN);
        repo.update(stored, stored.record().with(2, ReplicaSetState.RUNNING, GPUS, PORTS),
                new ReplicaSetVersion("foo", 2, "foo-2", t.plusSeconds(60), "patch", SPEC, GPUS, PORTS));
    }

    private static JsonNode answer(Object data) {
        return JSON.valueToTree(ApiResponse.ok(data));
    }

    private static ContainerDetail inspected(String fixture) {
        try (InputStream in = OriginalShapeTest.class.getResourceAsStream("/docker/" + fixture)) {
            JsonNode json = JSON.readTree(in);
            ContainerSummary summary = new ContainerSummary(json.path("Id").asString(), "foo-2", "running", true, false, Map.of());
            return new ContainerDetail(summary, null, null, null, null, DockerConfigs.fromInspect(json));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> texts(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }
}
