package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.replicaset.reconcile.StartupReconcile;
import io.gpudocker.resource.port.PortRange;
import io.gpudocker.store.Txn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A client of the original project, replayed: its 19 operations in the order its users run them, with its
 * request bodies, reading the response fields its API document promises ({@code data.info.hostConfig.PortBindings},
 * {@code data.Info.opt}, history {@code status}, the GPU map, the ports object), some bodies sent as its
 * clients do, without a JSON content type. Keys of the original's etcd layout never stop the service starting.
 */
class OriginalClientIT extends IntegrationTestBase {
    private static final String ORIGINAL_TIME = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}";
    private static final String DEST = "/root/foo-tmp";

    @Autowired
    StartupReconcile startup;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String volume;

    @AfterEach
    void removeVolume() {
        deleteReplicaSets();
        if (volume != null) {
            assertThat(api.delete("/volumes/" + volume).status()).isIn(200, 404);
        }
    }

    @Test
    void theOriginalsClientWorksEndToEnd() throws Exception {
        volume = "orig" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String rs = name("orig");

        // 1. create a volume, with no content type at all
        Api.Reply created = sendAs(null, "POST", "/volumes", "{\"name\": \"" + volume + "\", \"size\": \"20GB\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(created.data().path("name").asString()).isEqualTo(volume + "-1");

        // 2. its info
        JsonNode info = ok(api.get("/volumes/" + volume)).path("Info");
        assertThat(info.path("version").asLong()).isEqualTo(1);
        assertThat(info.path("createTime").asString()).matches(ORIGINAL_TIME);
        assertThat(info.path("opt").path("Driver").asString()).isEqualTo("local");
        assertThat(info.path("opt").path("DriverOpts").path("size").asString()).isEqualTo("20GB");
        assertThat(info.path("opt").path("Name").asString()).isEqualTo(volume + "-1");

        // 3. create a replicaset with one GPU, the volume and an SSH port
        Map<String, Object> body = createBody(rs, 1, SLEEP, List.of("22"));
        body.put("binds", List.of(Map.of("src", volume + "-1", "dest", DEST)));
        body.put("env", List.of("JUPYTER_TOKEN=secret"));
        assertThat(ok(api.post("/replicaSet", body)).path("name").asString()).isEqualTo(rs + "-1");

        // 4. its info: the SSH port where the original's front-ends look for it
        JsonNode rsInfo = ok(api.get("/replicaSet/" + rs)).path("info");
        assertThat(rsInfo.path("version").asLong()).isEqualTo(1);
        assertThat(rsInfo.path("containerName").asString()).isEqualTo(rs + "-1");
        assertThat(rsInfo.path("createTime").asString()).matches(ORIGINAL_TIME);
        String sshPort = rsInfo.path("hostConfig").path("PortBindings").path("22/tcp").path(0).path("HostPort").asString();
        assertThat(Integer.parseInt(sshPort)).isEqualTo(api.get("/replicaSet/" + rs).data().path("ports").path("22/tcp").asInt());
        assertThat(rsInfo.path("config").path("Image").asString()).isEqualTo(IMAGE);
        assertThat(texts(rsInfo.path("config").path("Env"))).contains("JUPYTER_TOKEN=secret");
        assertThat(rsInfo.path("config").path("ExposedPorts").has("22/tcp")).isTrue();
        assertThat(texts(rsInfo.path("hostConfig").path("Binds"))).containsExactly(volume + "-1:" + DEST);
        JsonNode devices = rsInfo.path("hostConfig").path("DeviceRequests").path(0);
        assertThat(devices.path("Driver").asString()).isEqualTo("nvidia");
        assertThat(texts(devices.path("DeviceIDs"))).containsExactlyElementsOf(gpusOf(rs));
        assertThat(rsInfo.has("networkingConfig")).isTrue();
        assertThat(rsInfo.has("platform")).isTrue();

        // 5. grow the volume while the instance runs, sent as curl -d sends it
        Api.Reply grown = sendAs("application/x-www-form-urlencoded", "PATCH", "/volumes/" + volume + "/size", "{\"size\": \"30GB\"}");
        assertThat(grown.status()).as(grown.toString()).isEqualTo(200);
        assertThat(grown.data().path("name").asString()).isEqualTo(volume + "-2");

        // 6. the volume's history
        JsonNode volumeHistory = ok(api.get("/volumes/" + volume + "/history")).path("history");
        assertThat(volumeHistory).hasSize(2);
        assertThat(volumeHistory.get(0).path("status").path("opt").path("Name").asString()).isEqualTo(volume + "-2");
        assertThat(volumeHistory.get(0).path("status").path("opt").path("DriverOpts").path("size").asString()).isEqualTo("30GB");
        assertThat(volumeHistory.get(1).path("status").path("version").asLong()).isEqualTo(1);
        assertThat(volumeHistory.get(1).path("status").path("createTime").asString()).matches(ORIGINAL_TIME);

        // 7. patch: two GPUs and the new volume version
        Api.Reply patched = api.patch("/replicaSet/" + rs, Map.of(
                "gpuPatch", Map.of("gpuCount", 2),
                "volumePatch", Map.of("oldBind", Map.of("src", volume + "-1", "dest", DEST), "newBind", Map.of("src", volume + "-2", "dest", DEST))));
        assertThat(ok(patched).path("containerName").asString()).isEqualTo(rs + "-2");

        // 8. the replicaset's history
        JsonNode history = ok(api.get("/replicaSet/" + rs + "/history")).path("history");
        assertThat(history).hasSize(2);
        JsonNode newest = history.get(0);
        assertThat(newest.path("version").asLong()).isEqualTo(2);
        assertThat(newest.path("status").path("containerName").asString()).isEqualTo(rs + "-2");
        assertThat(newest.path("status").path("createTime").asString()).matches(ORIGINAL_TIME);
        assertThat(texts(newest.path("status").path("hostConfig").path("Binds"))).containsExactly(volume + "-2:" + DEST);
        assertThat(newest.path("status").path("hostConfig").path("DeviceRequests").path(0).path("DeviceIDs")).hasSize(2);
        assertThat(newest.path("status").path("hostConfig").path("PortBindings").path("22/tcp").path(0).path("HostPort").asString()).isEqualTo(sshPort);
        assertThat(history.get(1).path("status").path("config").path("Image").asString()).isEqualTo(IMAGE);

        // 9. rollback to version 1
        assertThat(ok(api.patch("/replicaSet/" + rs + "/rollback", Map.of("version", 1))).path("containerName").asString()).isEqualTo(rs + "-3");
        assertThat(texts(ok(api.get("/replicaSet/" + rs)).path("info").path("hostConfig").path("Binds"))).containsExactly(volume + "-1:" + DEST);

        // 10. execute
        JsonNode executed = ok(api.post("/replicaSet/" + rs + "/execute", Map.of("workDir", "/root", "cmd", List.of("sh", "-c", "pwd"))));
        assertThat(executed.path("stdout").asString()).contains("/root");

        // 11. commit
        String image = "orig-snapshot:" + rs.toLowerCase();
        assertThat(ok(api.post("/replicaSet/" + rs + "/commit", Map.of("newImageName", image))).path("imageName").asString()).isEqualTo(image);

        // 12. stop, 13. restart
        ok(api.patch("/replicaSet/" + rs + "/stop", null));
        assertThat(ok(api.patch("/replicaSet/" + rs + "/restart", null)).path("containerName").asString()).isEqualTo(rs + "-4");

        // 14. pause, 15. continue
        ok(api.patch("/replicaSet/" + rs + "/pause", null));
        ok(api.patch("/replicaSet/" + rs + "/continue", null));
        assertThat(api.get("/replicaSet/" + rs).data().path("state").asString()).isEqualTo("running");

        // 16. the GPU map: every GPU to 0 or 1, this replicaset's at 1
        JsonNode gpus = ok(api.get("/resources/gpus")).path("gpus");
        assertThat(gpus.isObject()).as(gpus.toString()).isTrue();
        gpus.properties().forEach(e -> assertThat(e.getValue().asInt()).as(e.getKey()).isIn(0, 1));
        for (String uuid : gpusOf(rs)) {
            assertThat(gpus.path(uuid).asInt()).as(uuid).isEqualTo(1);
        }

        // 17. the ports object
        JsonNode ports = ok(api.get("/resources/ports")).path("ports");
        PortRange range = PortRange.parse(props.ports().range());
        assertThat(ports.path("StartPort").asInt()).isEqualTo(range.first());
        assertThat(ports.path("EndPort").asInt()).isEqualTo(range.last());
        assertThat(ports.path("AvailableCount").asInt()).isPositive().isLessThan(range.size());
        assertThat(ports.path("UsedPortSet").has(sshPort)).as(ports.toString()).isTrue();
        assertThat(ports.path("UsedPortSet").path(sshPort).isObject()).isTrue();

        // 18. delete the replicaset, 19. delete the volume
        ok(api.delete("/replicaSet/" + rs));
        ok(api.delete("/volumes/" + volume));
        assertThat(volumeEngine.inspectVolume(volume + "-1")).isEmpty();
        assertThat(volumeEngine.inspectVolume(volume + "-2")).isEmpty();
        volume = null;
    }

    @Test
    void keysTheOriginalLeftUnderThePrefixNeverStopStartUp() {
        String root = props.etcd().prefix() + "/apis/v1/";
        Map<String, String> leftovers = Map.of(
                root + "ports/usedPortSetKey", "{\"40000\":{},\"40001\":{}}",
                root + "gpus/gpuStatusMapKey", "{\"GPU-00000000-0000-4000-8000-000000000000\":1}",
                root + "versions/containerVersionMapKey", "{\"foo\":2}",
                root + "replicasets/containerVersionMapKey", "not a record");
        Txn seed = new Txn();
        leftovers.forEach(seed::put);
        assertThat(store.commit(seed)).isTrue();
        try {
            startup.start();
            assertThat(ok(api.get("/resources/ports")).path("ports").path("UsedPortSet").has("usedPortSetKey")).isFalse();
            assertThat(ok(api.get("/resources/gpus")).path("gpus").path("GPU-00000000-0000-4000-8000-000000000000").asInt()).isZero();
            assertThat(ok(api.get("/replicaSet")).findValuesAsString("name")).doesNotContain("containerVersionMapKey");
            leftovers.keySet().forEach(k -> assertThat(store.get(k)).as("%s is left as it is", k).isPresent());
        } finally {
            Txn clean = new Txn();
            leftovers.keySet().forEach(clean::delete);
            store.commit(clean);
        }
    }

    private static JsonNode ok(Api.Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.code()).as(reply.toString()).isEqualTo(200);
        return reply.data();
    }

    private static List<String> texts(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }

    /** A call with this content type (null: none), as clients of the original send them. */
    private Api.Reply sendAs(String contentType, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = api.authorized(HttpRequest.newBuilder(URI.create(api.base() + path))).timeout(Duration.ofMinutes(2))
                .method(method, HttpRequest.BodyPublishers.ofString(json));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Api.Reply(r.statusCode(), Api.JSON.readTree(r.body()));
    }
}
