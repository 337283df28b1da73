package io.gpudocker.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient.Request;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** The calls docker-java does not model, or not in full, made on its HTTP client. */
final class RawDockerApi {
    private final DockerHttpClient http;
    private final DockerCalls calls;

    RawDockerApi(DockerHttpClient http, DockerCalls calls) {
        this.http = http;
        this.calls = calls;
    }

    /** The whole inspect answer, read by {@link InspectParser}; empty when there is no such container. */
    Optional<JsonNode> inspectContainer(String nameOrId) {
        return calls.call("inspect container " + nameOrId, () -> {
            Request request = Request.builder().method(Request.Method.GET).path("/containers/" + nameOrId + "/json").build();
            try (DockerHttpClient.Response response = http.execute(request)) {
                if (response.getStatusCode() == 404) {
                    return Optional.empty();
                }
                JsonNode body = InspectParser.read(response.getBody());
                if (response.getStatusCode() != 200) {
                    throw new EngineException(response.getStatusCode(), "Docker refused to inspect container " + nameOrId + ": "
                            + body.path("message").asString(""), null);
                }
                return Optional.of(body);
            }
        });
    }

    /** Whether the path exists in the container's filesystem; null where Docker cannot tell (the start then decides). */
    Boolean pathExists(String containerId, String path) {
        // Docker mounts the container's filesystem to answer: work, not an instant answer, under a burst of creates
        return calls.call("look up " + path + " in container " + containerId, calls.timeouts().work(), () -> {
            // docker-java has no HEAD request: the archive's answer is read no further than its status
            Request request = Request.builder().method(Request.Method.GET)
                    .path("/containers/" + containerId + "/archive?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8)).build();
            try (DockerHttpClient.Response response = http.execute(request)) {
                return switch (response.getStatusCode()) {
                    case 200 -> Boolean.TRUE;
                    case 404 -> Boolean.FALSE;
                    default -> null;
                };
            }
        });
    }

    /**
     * Docker makes its default bridge network afresh each time it starts, after it has stopped the containers
     * that were running when it went away; its creation time is therefore the moment this daemon started.
     */
    Optional<Instant> bridgeCreated() {
        return calls.call("inspect network bridge", () -> {
            Request request = Request.builder().method(Request.Method.GET).path("/networks/bridge").build();
            try (DockerHttpClient.Response response = http.execute(request)) {
                if (response.getStatusCode() != 200) {
                    return Optional.<Instant>empty();
                }
                return Optional.ofNullable(InspectParser.instant(InspectParser.read(response.getBody()).path("Created").asString(null)));
            }
        });
    }
}
