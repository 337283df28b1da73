package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The exported api/gpu-docker-api.openapi.json is what the service serves (make openapi refreshes it). */
class OpenApiIT extends IntegrationTestBase {
    static final Path EXPORTED = Path.of("api/gpu-docker-api.openapi.json");

    @Test
    void exportedDocumentIsCurrent() throws Exception {
        String served = new Api("http://127.0.0.1:" + port).text("/v3/api-docs");
        ObjectNode live = (ObjectNode) Api.JSON.readTree(served);
        // the only legitimate difference: the served server URL carries this run's random port, the exported one the default
        live.remove("servers");
        Path actual = Path.of("target/gpu-docker-api.openapi.served.json");
        Files.createDirectories(actual.getParent());
        Files.writeString(actual, Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(live));

        assertThat(EXPORTED).as("run make openapi to create it").exists();
        ObjectNode committed = (ObjectNode) Api.JSON.readTree(Files.readString(EXPORTED));
        assertThat(committed.path("servers").path(0).path("url").asString()).isEqualTo("http://127.0.0.1:2378");
        committed.remove("servers");
        assertThat(committed).as("%s differs from what the service serves (saved as %s); run make openapi", EXPORTED, actual)
                .isEqualTo(live);
    }

    @Test
    void eachRequestBodyAndResponseHasItsOwnSchema() {
        JsonNode paths = Api.JSON.readTree(new Api("http://127.0.0.1:" + port).text("/v3/api-docs")).path("paths");
        assertThat(requestSchema(paths, "/api/v1/replicaSet", "post")).isEqualTo("#/components/schemas/ReplicaSetCreateRequest");
        assertThat(requestSchema(paths, "/api/v1/volumes", "post")).isEqualTo("#/components/schemas/VolumeCreateRequest");
        assertThat(requestSchema(paths, "/api/v1/replicaSet/{name}", "patch")).isEqualTo("#/components/schemas/ReplicaSetPatchRequest");
        assertThat(requestSchema(paths, "/api/v1/volumes/{name}/size", "patch")).isEqualTo("#/components/schemas/VolumeResizeRequest");
        assertThat(okSchema(paths, "/api/v1/replicaSet/{name}")).contains("ReplicaSetDetail");
        assertThat(okSchema(paths, "/api/v1/volumes/{name}")).contains("VolumeDetail");
        assertThat(okSchema(paths, "/api/v1/replicaSet/{name}/history")).contains("ReplicaSetHistory");
        assertThat(okSchema(paths, "/api/v1/volumes/{name}/history")).contains("VolumeHistory");
    }

    private static String requestSchema(JsonNode paths, String path, String method) {
        return paths.path(path).path(method).path("requestBody").path("content").path("application/json").path("schema").path("$ref").asString();
    }

    private static String okSchema(JsonNode paths, String path) {
        return paths.path(path).path("get").path("responses").path("200").path("content").path("application/json").path("schema").path("$ref").asString();
    }

    @Test
    void documentCoversEveryEndpointAndSwaggerUiIsServed() {
        JsonNode doc = Api.JSON.readTree(new Api("http://127.0.0.1:" + port).text("/v3/api-docs"));
        assertThat(doc.path("paths").propertyNames()).contains(
                "/api/v1/replicaSet", "/api/v1/replicaSet/{name}", "/api/v1/replicaSet/{name}/history",
                "/api/v1/replicaSet/{name}/rollback", "/api/v1/replicaSet/{name}/stop", "/api/v1/replicaSet/{name}/restart",
                "/api/v1/replicaSet/{name}/pause", "/api/v1/replicaSet/{name}/continue", "/api/v1/replicaSet/{name}/execute",
                "/api/v1/replicaSet/{name}/commit", "/api/v1/replicaSet/{name}/logs",
                "/api/v1/resources/gpus", "/api/v1/resources/ports", "/ping");
        JsonNode notFound = doc.path("paths").path("/api/v1/replicaSet/{name}").path("get").path("responses").path("404");
        assertThat(notFound.path("content").path("application/json").path("example").path("code").asInt()).isEqualTo(1016);
        assertThat(new Api("http://127.0.0.1:" + port).text("/swagger-ui/index.html")).contains("<div id=\"swagger-ui\">");
    }
}
