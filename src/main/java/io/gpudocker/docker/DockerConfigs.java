package io.gpudocker.docker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How Docker holds a container's configuration, in Docker's own keys and values as its inspect answers them:
 * {@code Config}, {@code HostConfig}, and the networks it is attached to in the shape a create's
 * {@code NetworkingConfig} takes them ({@code {"EndpointsConfig": NetworkSettings.Networks}}). Values are plain
 * JSON values (maps, lists, strings, numbers, booleans, null), so whatever the daemon's version adds comes along.
 * The inspect's answer is kept as it came and turned into maps only when asked: most inspects (updates, the
 * reconcile) never read the configuration.
 */
public record DockerConfigs(JsonNode inspect) {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    /** The configuration parts of a container inspect's answer; a part Docker left out reads as empty. */
    public static DockerConfigs fromInspect(JsonNode inspect) {
        return new DockerConfigs(inspect);
    }

    public Map<String, Object> config() {
        return map(inspect.path("Config"));
    }

    public Map<String, Object> hostConfig() {
        return map(inspect.path("HostConfig"));
    }

    public Map<String, Object> networkingConfig() {
        Map<String, Object> networking = new LinkedHashMap<>();
        JsonNode networks = inspect.path("NetworkSettings").path("Networks");
        networking.put("EndpointsConfig", networks.isObject() ? map(networks) : null);
        return Collections.unmodifiableMap(networking);
    }

    private static Map<String, Object> map(JsonNode node) {
        return node.isObject() ? Collections.unmodifiableMap(JSON.convertValue(node, MAP)) : Map.of();
    }
}
