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
 */
public record DockerConfigs(Map<String, Object> config, Map<String, Object> hostConfig, Map<String, Object> networkingConfig) {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    public DockerConfigs {
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        hostConfig = Collections.unmodifiableMap(new LinkedHashMap<>(hostConfig));
        networkingConfig = Collections.unmodifiableMap(new LinkedHashMap<>(networkingConfig));
    }

    /** The configuration parts of a container inspect's answer; a part Docker left out reads as empty. */
    public static DockerConfigs fromInspect(JsonNode inspect) {
        Map<String, Object> networking = new LinkedHashMap<>();
        JsonNode networks = inspect.path("NetworkSettings").path("Networks");
        networking.put("EndpointsConfig", networks.isObject() ? map(networks) : null);
        return new DockerConfigs(map(inspect.path("Config")), map(inspect.path("HostConfig")), networking);
    }

    private static Map<String, Object> map(JsonNode node) {
        return node.isObject() ? JSON.convertValue(node, MAP) : Map.of();
    }
}
