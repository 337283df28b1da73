package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.replicaset.OriginalSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The two operations whose answers carry Docker's whole container configuration, walked against the original
 * project's documented response schemas ({@link OriginalSchema}, a trimmed copy of its API document) on the real
 * rig: every documented field present with its documented type, for a running instance with GPUs, a volume and
 * the document's ports 22 and 443, and for a history of four versions whose oldest container the history limit
 * (gda.history.keep=3 in these tests) has pruned.
 */
class OriginalSchemaIT extends IntegrationTestBase {
    private static final String DEST = "/root/foo-tmp";
    private String volume;

    @AfterEach
    void removeVolume() {
        deleteReplicaSets();
        if (volume != null) {
            assertThat(api.delete("/volumes/" + volume).status()).isIn(200, 404);
        }
    }

    @Test
    void getAndHistoryAnswerEveryDocumentedFieldWithWhatDockerHolds() {
        volume = "schema" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        ok(api.post("/volumes", Map.of("name", volume)));
        String rs = name("schema");
        Map<String, Object> body = createBody(rs, 1, SLEEP, List.of("22", "443"));
        body.put("binds", List.of(Map.of("src", volume + "-1", "dest", DEST)));
        body.put("env", List.of("JUPYTER_TOKEN=secret"));
        ok(api.post("/replicaSet", body));
        for (int i = 0; i < 3; i++) {
            ok(api.patch("/replicaSet/" + rs, Map.of()));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(engine.inspect(rs + "-1")).as("version 1 pruned").isEmpty());

        JsonNode detail = api.get("/replicaSet/" + rs).body();
        OriginalSchema.Walk get = OriginalSchema.walk(OriginalSchema.responseSchema(OriginalSchema.GET), detail);
        assertThat(get.problems()).as("GET /replicaSet/{name} against the original's document").isEmpty();
        assertThat(get.checked()).isEqualTo(OriginalSchema.documentedProperties(OriginalSchema.responseSchema(OriginalSchema.GET)));

        JsonNode info = detail.path("data").path("info");
        ContainerDetail live = engine.inspect(rs + "-4").orElseThrow();
        assertThat(info.path("config").path("Hostname").asString()).as("Docker's hostname: the id's first 12").isEqualTo(live.id().substring(0, 12));
        assertThat(info.path("hostConfig").path("SecurityOpt").toString()).contains("no-new-privileges");
        assertThat(info.path("hostConfig").path("RestartPolicy").path("Name").isString()).isTrue();
        JsonNode networks = info.path("networkingConfig").path("EndpointsConfig");
        assertThat(networks.isObject() && !networks.isEmpty()).as("the networks Docker attached: %s", networks).isTrue();
        assertThat(networks.findValuesAsString("IPAddress")).anySatisfy(ip -> assertThat(ip).isNotEmpty());
        assertThat(info.path("config").path("Labels").propertyNames()).contains(ManagedLabels.REPLICASET)
                .doesNotContain(ManagedLabels.RECORD, ManagedLabels.CLUSTER, ManagedLabels.OPERATION);
        assertThat(info.path("hostConfig").path("Binds").path(0).asString()).isEqualTo(volume + "-1:" + DEST);

        JsonNode history = api.get("/replicaSet/" + rs + "/history").body();
        OriginalSchema.Walk walked = OriginalSchema.walk(OriginalSchema.responseSchema(OriginalSchema.HISTORY), history);
        assertThat(walked.problems()).as("GET /replicaSet/{name}/history against the original's document").isEmpty();
        JsonNode items = history.path("data").path("history");
        assertThat(items).hasSize(4);
        int perItem = OriginalSchema.documentedProperties(OriginalSchema.responseSchema(OriginalSchema.HISTORY)) - 4;
        assertThat(walked.checked()).isEqualTo(4 + 4 * perItem);
        JsonNode oldest = items.get(3);
        assertThat(oldest.path("version").asLong()).isEqualTo(1);
        assertThat(oldest.path("snapshotAvailable").asBoolean()).as("its container was pruned").isFalse();
        assertThat(oldest.path("status").path("config").path("Image").asString()).isEqualTo(IMAGE);
        assertThat(oldest.path("status").path("hostConfig").path("PortBindings").path("443/tcp").path(0).path("HostPort").asString())
                .isEqualTo(info.path("hostConfig").path("PortBindings").path("443/tcp").path(0).path("HostPort").asString());
    }

    private static JsonNode ok(Api.Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.data();
    }
}
