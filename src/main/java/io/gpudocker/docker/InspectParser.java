package io.gpudocker.docker;

import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the answer of Docker's container inspect ({@code GET /containers/{id}/json}) as the raw JSON: docker-java
 * does not model GraphDriver.Data.UpperDir, and the one raw answer holds everything else the service reads.
 * Missing fields read as Docker's defaults (not running, no init, no labels).
 */
final class InspectParser {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private InspectParser() {}

    static JsonNode read(InputStream body) {
        return JSON.readTree(body);
    }

    static JsonNode read(String body) {
        return JSON.readTree(body);
    }

    static ContainerDetail detail(JsonNode r) {
        JsonNode state = r.path("State");
        Map<String, String> labels = new LinkedHashMap<>();
        r.path("Config").path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
        boolean paused = state.path("Paused").asBoolean(false);
        boolean running = state.path("Running").asBoolean(false);
        String status = state.path("Status").asString("unknown");
        // a created container has not run: its ExitCode of 0 is no exit
        boolean exited = !running && !"created".equals(status);
        ContainerSummary summary = new ContainerSummary(r.path("Id").asString(), stripSlash(r.path("Name").asString()), status,
                running && !paused, paused, labels);
        JsonNode upper = r.path("GraphDriver").path("Data").path("UpperDir");
        return new ContainerDetail(summary, r.path("GraphDriver").path("Name").asString(null), upper.isString() ? upper.asString() : null,
                exited ? Integer.valueOf(state.path("ExitCode").asInt(0)) : null, instant(state.path("FinishedAt").asString(null)),
                DockerConfigs.fromInspect(r));
    }

    static ContainerSettings settings(JsonNode r) {
        JsonNode config = r.path("Config");
        JsonNode host = r.path("HostConfig");
        List<String> gpus = new ArrayList<>();
        host.path("DeviceRequests").forEach(d -> d.path("DeviceIDs").forEach(id -> gpus.add(id.asString())));
        Map<String, Integer> ports = new LinkedHashMap<>();
        host.path("PortBindings").properties().forEach(e -> {
            JsonNode first = e.getValue().path(0).path("HostPort");
            if (first.isString() && first.asString().matches("\\d{1,5}")) {
                ports.put(e.getKey(), Integer.parseInt(first.asString()));
            }
        });
        return new ContainerSettings(config.path("Image").asString(null), strings(config.path("Cmd")), strings(config.path("Env")),
                strings(host.path("Binds")), gpus, ports);
    }

    /** Whether its processes run, paused or not: what decides whether a stop or a start has anything to do. */
    static boolean running(JsonNode r) {
        return r.path("State").path("Running").asBoolean(false);
    }

    static StopGrace.Target stopTarget(JsonNode r) {
        return new StopGrace.Target(r.path("Id").asString(), r.path("State").path("Pid").asLong(0),
                r.path("HostConfig").path("Init").asBoolean(false), r.path("Config").path("StopSignal").asString(null));
    }

    /** The program a start runs: the entrypoint where the container has one, else its command. */
    static InitProgramCheck.Launch launch(JsonNode r) {
        JsonNode config = r.path("Config");
        JsonNode entrypoint = config.path("Entrypoint");
        List<String> argv = strings(entrypoint.isArray() && !entrypoint.isEmpty() ? entrypoint : config.path("Cmd"));
        return new InitProgramCheck.Launch(r.path("Id").asString(), r.path("HostConfig").path("Init").asBoolean(false), running(r),
                argv, strings(config.path("Env")), config.path("WorkingDir").asString(""), r.path("Image").asString(null), mountPoints(r));
    }

    /** Everywhere the container has something mounted over its image's files: binds, volumes, mounts, tmpfs. */
    static List<String> mountPoints(JsonNode r) {
        List<String> points = new ArrayList<>();
        JsonNode host = r.path("HostConfig");
        host.path("Binds").forEach(b -> {
            String[] parts = b.asString("").split(":");
            if (parts.length >= 2) {
                points.add(parts[1]);
            }
        });
        host.path("Mounts").forEach(m -> points.add(m.path("Target").asString("")));
        host.path("Tmpfs").properties().forEach(e -> points.add(e.getKey()));
        r.path("Config").path("Volumes").properties().forEach(e -> points.add(e.getKey()));
        r.path("Mounts").forEach(m -> points.add(m.path("Destination").asString("")));
        points.removeIf(p -> !p.startsWith("/"));
        return points;
    }

    /** Docker writes 0001-01-01T00:00:00Z for a time that never came (a container that never stopped). */
    static Instant instant(String text) {
        if (text == null || text.startsWith("0001-")) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String stripSlash(String name) {
        return name != null && name.startsWith("/") ? name.substring(1) : name;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }
}
