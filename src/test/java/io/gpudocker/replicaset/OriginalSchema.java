package io.gpudocker.replicaset;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The response schemas the original project's API document gives for {@code GET /api/v1/replicaSet/{name}} and
 * {@code GET /api/v1/replicaSet/{name}/history}, and a walk of an answer against them.
 * <p>
 * The schemas are a trimmed copy of {@code api/gpu-docker-api-en.openapi.json} of github.com/mayooot/gpu-docker-api
 * (commit 2562d3e2, MIT/Apache-2.0), kept as {@code src/test/resources/original/replicaset-get-history.openapi.json}:
 * the two 200 responses only, without the ApiFox members, descriptions and examples.
 * <p>
 * The walk reads every documented property as one the answer must have, with the documented type: an object
 * or an array must not be null, and every item of an array is walked. The document was made from an example
 * answer, so a property whose example was null is typed {@code "null"} ({@code Cmd}, {@code Labels},
 * {@code PidsLimit}, {@code EndpointsConfig}, ...): such a property must be present, and any value is taken,
 * since the original itself answered values there (a command, labels) whenever it had one.
 */
public final class OriginalSchema {
    public static final String GET = "/api/v1/replicaSet/{name}";
    public static final String HISTORY = "/api/v1/replicaSet/{name}/history";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNode DOCUMENT = load();

    private OriginalSchema() {}

    /** What a walk found: how many documented properties it checked, and each one missing or mistyped. */
    public record Walk(int checked, List<String> problems) {}

    /** The schema of the whole 200 response body (the envelope) of {@code path}. */
    public static JsonNode responseSchema(String path) {
        JsonNode schema = DOCUMENT.path("paths").path(path).path("get").path("responses").path("200")
                .path("content").path("application/json").path("schema");
        if (!schema.isObject()) {
            throw new IllegalArgumentException("no documented response for GET " + path);
        }
        return schema;
    }

    /** The properties the schema documents, counting each once however many array items an answer has. */
    public static int documentedProperties(JsonNode schema) {
        int n = 0;
        for (var property : schema.path("properties").properties()) {
            n += 1 + documentedProperties(property.getValue());
        }
        JsonNode items = schema.path("items");
        return n + (items.isObject() ? documentedProperties(items) : 0);
    }

    public static Walk walk(JsonNode schema, JsonNode answer) {
        List<String> problems = new ArrayList<>();
        int checked = walk(schema, answer, "", problems);
        return new Walk(checked, problems);
    }

    private static int walk(JsonNode schema, JsonNode value, String path, List<String> problems) {
        String type = schema.path("type").asString("");
        if (!type.equals("null") && !hasType(value, type)) {
            problems.add((path.isEmpty() ? "the body" : path) + " is " + describe(value) + ", documented as " + type);
            return 0;
        }
        int checked = 0;
        if (type.equals("object")) {
            for (var property : schema.path("properties").properties()) {
                String at = path + "." + property.getKey();
                checked++;
                if (!value.has(property.getKey())) {
                    problems.add(at + " is missing");
                } else {
                    checked += walk(property.getValue(), value.get(property.getKey()), at, problems);
                }
            }
        } else if (type.equals("array")) {
            for (int i = 0; i < value.size(); i++) {
                checked += walk(schema.path("items"), value.get(i), path + "[" + i + "]", problems);
            }
        }
        return checked;
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isString();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> throw new IllegalArgumentException("a type the original's document does not use: " + type);
        };
    }

    private static String describe(JsonNode value) {
        return value.isMissingNode() ? "missing" : value.getNodeType().name().toLowerCase() + " " + abbreviate(value.toString());
    }

    private static String abbreviate(String text) {
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    private static JsonNode load() {
        try (InputStream in = OriginalSchema.class.getResourceAsStream("/original/replicaset-get-history.openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("original/replicaset-get-history.openapi.json is not on the test class path");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
