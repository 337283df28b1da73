package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.store.KeyValue;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Requests generated from the service's own OpenAPI document (every path and method, the request body
 * schemas) and then mutated: wrong types, huge and negative numbers, long and odd strings, unknown fields,
 * bad JSON, empty bodies, wrong methods, wrong content types. Every answer must be below 500 and the
 * envelope {code,msg,data} (a log stream that answers 200 is text); a refused request must change nothing
 * in etcd or Docker. Requests that succeed (a generated valid create, say) are cleaned up and not counted as
 * refusals. The seed is printed; {@code -Dfuzz.seed=N} replays a run, {@code -Dfuzz.requests=N} sets its length.
 */
class FuzzIT extends IntegrationTestBase {
    private static final long SEED = Long.getLong("fuzz.seed", 20261129L);
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 600);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final List<String> ODD_STRINGS = List.of("", " ", "-", "/", "../", "../../etc/passwd", "a-b", "a/b", ".", "..",
            "名字", "émoji😀", "\u0000", "\u0007bell", "line\nbreak", "tab\there", "%2F", "%00", "'; DROP", "${jndi:x}", "<script>",
            "_data", "Ubuntu", "a:b:c", "UPPER", ":tag", "@sha256:0", "-rf", "--help", "a".repeat(300), "9".repeat(40), "null", "true");
    private static final List<String> ODD_CONTENT_TYPES = List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/json; charset=latin-7", "*/*", "garbage");

    @Autowired
    DockerClient docker;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Random random = new Random(SEED);
    private final List<String> failures = new ArrayList<>();
    private JsonNode doc;
    private String replicaSet;
    private String volume;

    /** One generated request, as sent. */
    record Sent(String method, String path, String contentType, String body) {
        @Override
        public String toString() {
            String b = body == null ? "<none>" : body.length() > 200 ? body.substring(0, 200) + "..." : body;
            return method + " " + path + " [" + contentType + "] " + b;
        }
    }

    /** The managed state a refused request must not change: etcd keys and values, containers and volumes. */
    record Snapshot(Map<String, String> keys, Set<String> containers, Set<String> volumes) {}

    @Test
    void generatedAndMutatedRequestsAreAnsweredHonestlyAndRefusalsChangeNothing() throws Exception {
        System.out.printf("FuzzIT: seed %d, %d requests (replay with -Dfuzz.seed=%d)%n", SEED, REQUESTS, SEED);
        doc = Api.JSON.readTree(new Api("http://127.0.0.1:" + port).text("/v3/api-docs"));
        replicaSet = name("fuzzrs");
        create(replicaSet, 1);
        volume = "fuzzvol" + Long.toHexString(SEED & 0xffff);
        assertThat(api.post("/volumes", Map.of("name", volume)).status()).isEqualTo(200);
        List<String[]> operations = operations();
        long started = System.nanoTime();
        int refused = 0;
        int succeeded = 0;
        Snapshot before = settledSnapshot();
        try {
            for (int i = 0; i < REQUESTS; i++) {
                // every operation of the document first, then at random
                Sent sent = generate(i < operations.size() ? operations.get(i) : operations.get(random.nextInt(operations.size())));
                HttpResponse<String> r = send(sent);
                check(i, sent, r);
                if (r.statusCode() / 100 == 2) {
                    succeeded++;
                    cleanUp(sent, r);
                    before = settledSnapshot();
                } else {
                    refused++;
                    Snapshot after = snapshot();
                    if (!after.equals(before)) {
                        failures.add("#" + i + " refused with " + r.statusCode() + " but changed state: " + sent + "\n  before " + before + "\n  after  " + after);
                        before = settledSnapshot();
                    }
                }
            }
        } finally {
            api.delete("/volumes/" + volume);
        }
        System.out.printf("FuzzIT: seed %d: %d requests (%d refused, %d succeeded) in %d s, %d problem(s)%n", SEED, REQUESTS, refused, succeeded,
                Duration.ofNanos(System.nanoTime() - started).toSeconds(), failures.size());
        assertThat(failures).as("seed %d", SEED).isEmpty();
    }

    /** Names and references Docker itself rejects are the user's doing: 400, never a 5xx, and nothing is made. */
    @Test
    void referencesAndNamesDockerRejectsAreRefusedAs4xx() {
        for (String image : List.of("Ubuntu", "a:b:c", "UPPER:latest")) {
            Map<String, Object> body = createBody(name("refused"), 0, SLEEP, List.of());
            body.put("imageName", image);
            Api.Reply r = api.post("/replicaSet", body);
            assertThat(r.status()).as("image %s: %s", image, r).isEqualTo(400);
        }
        Api.Reply volume = api.post("/volumes", Map.of("name", "_data"));
        assertThat(volume.status()).as(volume.toString()).isBetween(400, 499);
        assertThat(volumeEngine.listVolumesByLabels(ManagedLabels.owner(props.etcd().prefix()))).isEmpty();
    }

    /** Every path and method of the document, with the schema of its body ("" when it takes none). */
    private List<String[]> operations() {
        List<String[]> ops = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String ref = op.getValue().path("requestBody").path("content").path("application/json").path("schema").path("$ref").asString("");
                ops.add(new String[]{op.getKey().toUpperCase(), path.getKey(), ref});
            }
        }
        assertThat(ops).as("operations in the OpenAPI document").hasSizeGreaterThan(20);
        return ops;
    }

    private Sent generate(String[] op) {
        String method = op[0];
        String path = fillPath(op[1]);
        String schema = op[2];
        int strategy = random.nextInt(100);
        if (strategy < 8) {
            method = METHODS.get(random.nextInt(METHODS.size()));
        }
        if (path.contains("/logs")) {
            path += "?" + logsQuery();
        } else if (path.endsWith("/size") && random.nextBoolean()) {
            path += "?force=" + pick(List.of("true", "false", "maybe", "1", "", "%00"));
        }
        if (strategy < 3 && op[1].equals("/api/v1/replicaSet") && method.equals("POST")) {
            return new Sent("POST", path, "application/json", validCreate());
        }
        String contentType = strategy >= 8 && strategy < 14 ? pick(ODD_CONTENT_TYPES) : "application/json";
        String body;
        if (strategy >= 14 && strategy < 22) {
            body = badJson();
        } else if (strategy >= 22 && strategy < 28) {
            body = random.nextBoolean() ? "" : null;
        } else if (schema.isEmpty() && random.nextInt(3) > 0) {
            body = null;
        } else {
            JsonNode value = schema.isEmpty() ? NODES.objectNode() : fromSchema(resolve(schema), 0);
            body = Api.JSON.writeValueAsString(strategy >= 40 ? mutate(value, 0) : value);
        }
        return new Sent(method, path, contentType, body);
    }

    private String fillPath(String template) {
        if (!template.contains("{name}")) {
            return template;
        }
        int choice = random.nextInt(10);
        String name;
        if (choice < 3) {
            name = template.contains("/volumes/") ? volume : replicaSet;
        } else if (choice < 5) {
            name = "nosuch" + random.nextInt(1000);
        } else {
            name = pick(ODD_STRINGS);
        }
        if (name.isEmpty()) {
            return template.replace("/{name}", "/");
        }
        // sometimes raw (a literal ../ or /), mostly encoded as a client library would
        boolean raw = random.nextInt(4) == 0 && name.chars().allMatch(c -> c > 32 && c < 127 && c != '%' && c != '<' && c != '>' && c != '{' && c != '}');
        return template.replace("{name}", raw ? name : URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    private String logsQuery() {
        List<String> parts = new ArrayList<>();
        if (random.nextBoolean()) {
            parts.add("tail=" + pick(List.of("-1", "0", "5", "-5", "99999999999", "abc", "1e3", "")));
        }
        if (random.nextBoolean()) {
            // never follow=true: a followed log of a running container streams until the client leaves
            parts.add("follow=" + pick(List.of("false", "no", "2", "")));
        }
        if (random.nextBoolean()) {
            parts.add("version=" + pick(List.of("1", "0", "-1", "9223372036854775807", "99999999999999999999", "x")));
        }
        return String.join("&", parts);
    }

    private String validCreate() {
        ObjectNode body = NODES.objectNode();
        String n = name("fuzzok");
        body.put("imageName", IMAGE);
        body.put("replicaSetName", n);
        body.put("gpuCount", random.nextInt(2));
        ArrayNode cmd = body.putArray("cmd");
        SLEEP.forEach(cmd::add);
        return Api.JSON.writeValueAsString(body);
    }

    private String badJson() {
        return pick(List.of("{", "}", "{\"a\":", "[1,2", "{'single':'quotes'}", "{\"gpuCount\": 01}", "nul", "\u0000", "{\"a\":1}}",
                "{\"a\":\"\\ud800\"}", "{".repeat(2000), "[" + "1,".repeat(1000) + "1]", "\"just a string\"", "42", "[]", "true"));
    }

    private JsonNode resolve(String ref) {
        return doc.path("components").path("schemas").path(ref.substring(ref.lastIndexOf('/') + 1));
    }

    /** A value the schema accepts: its examples where given, else a plain value of its type. */
    private JsonNode fromSchema(JsonNode schema, int depth) {
        if (schema.has("$ref")) {
            return depth > 4 ? NODES.nullNode() : fromSchema(resolve(schema.path("$ref").asString()), depth + 1);
        }
        if (schema.has("example") && random.nextBoolean()) {
            return schema.path("example");
        }
        switch (schema.path("type").asString("object")) {
            case "integer":
                return NODES.numberNode(random.nextInt(3));
            case "number":
                return NODES.numberNode(1.5);
            case "boolean":
                return NODES.booleanNode(random.nextBoolean());
            case "string":
                return NODES.stringNode("x" + random.nextInt(100));
            case "array":
                ArrayNode array = NODES.arrayNode();
                array.add(fromSchema(schema.path("items"), depth + 1));
                return array;
            default:
                ObjectNode object = NODES.objectNode();
                for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
                    if (random.nextInt(4) > 0) {
                        object.set(p.getKey(), fromSchema(p.getValue(), depth + 1));
                    }
                }
                return object;
        }
    }

    /** One mutation somewhere in the value: a wrong type, an extreme number, an odd string, an unknown field. */
    private JsonNode mutate(JsonNode value, int depth) {
        if (value instanceof ObjectNode object && !object.isEmpty() && random.nextInt(3) > 0 && depth < 4) {
            List<String> fields = new ArrayList<>(object.propertyNames());
            String field = fields.get(random.nextInt(fields.size()));
            ObjectNode copy = object.deepCopy();
            copy.set(field, mutate(object.path(field), depth + 1));
            return copy;
        }
        if (value instanceof ArrayNode array && !array.isEmpty() && random.nextBoolean() && depth < 4) {
            ArrayNode copy = array.deepCopy();
            copy.set(0, mutate(array.get(0), depth + 1));
            return copy;
        }
        if (value instanceof ObjectNode object && random.nextInt(4) == 0) {
            ObjectNode copy = object.deepCopy();
            copy.put(pick(List.of("unknownField", "gpuCount", "__proto__", "privileged", "Binds", "")), pick(ODD_STRINGS));
            return copy;
        }
        return switch (random.nextInt(9)) {
            case 0 -> NODES.numberNode(Long.MAX_VALUE);
            case 1 -> NODES.numberNode(-1 - random.nextInt(1_000_000));
            case 2 -> NODES.numberNode(new java.math.BigInteger("9".repeat(30)));
            case 3 -> NODES.numberNode(1e308);
            case 4 -> NODES.nullNode();
            case 5 -> NODES.booleanNode(true);
            case 6 -> NODES.arrayNode().add(pick(ODD_STRINGS));
            case 7 -> NODES.objectNode().put("nested", pick(ODD_STRINGS));
            default -> NODES.stringNode(pick(ODD_STRINGS));
        };
    }

    private HttpResponse<String> send(Sent sent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + sent.path())).timeout(Duration.ofSeconds(60))
                .method(sent.method(), sent.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(sent.body()));
        if (sent.body() != null) {
            b.header("Content-Type", sent.contentType());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void check(int i, Sent sent, HttpResponse<String> r) {
        if (r.statusCode() >= 500) {
            failures.add("#" + i + " answered " + r.statusCode() + ": " + sent + " -> " + r.body());
            return;
        }
        boolean logText = r.statusCode() == 200 && sent.path().contains("/logs");
        if (logText) {
            return;
        }
        try {
            JsonNode body = Api.JSON.readTree(r.body());
            boolean envelope = body.isObject() && body.path("code").isInt() && body.path("msg").isString() && body.has("data");
            if (!envelope) {
                failures.add("#" + i + " answered " + r.statusCode() + " without the envelope: " + sent + " -> " + r.body());
            } else if ((r.statusCode() == 200) != (body.path("code").asInt() == 200)) {
                failures.add("#" + i + " status " + r.statusCode() + " disagrees with code " + body.path("code") + ": " + sent);
            }
        } catch (RuntimeException notJson) {
            failures.add("#" + i + " answered " + r.statusCode() + " with a body that is not JSON: " + sent + " -> " + r.body());
        }
    }

    /** A request that succeeded may have made something; what it made goes, so later refusals are checked against a clean state. */
    private void cleanUp(Sent sent, HttpResponse<String> r) {
        JsonNode body = sent.body() == null ? NODES.nullNode() : tryParse(sent.body());
        if (sent.method().equals("POST") && sent.path().equals("/api/v1/replicaSet")) {
            String made = body.path("replicaSetName").asString("");
            if (!made.equals(replicaSet)) {
                api.delete("/replicaSet/" + URLEncoder.encode(made, StandardCharsets.UTF_8));
            }
        } else if (sent.method().equals("POST") && sent.path().equals("/api/v1/volumes")) {
            String made = body.path("name").asString("");
            if (!made.equals(volume)) {
                api.delete("/volumes/" + URLEncoder.encode(made, StandardCharsets.UTF_8));
            }
        } else if (sent.path().endsWith("/commit")) {
            String image = tryParse(r.body()).path("data").path("imageName").asString("");
            if (!image.isEmpty()) {
                docker.removeImageCmd(image).withForce(true).exec();
            }
        }
    }

    private static JsonNode tryParse(String s) {
        try {
            return Api.JSON.readTree(s);
        } catch (RuntimeException e) {
            return NODES.nullNode();
        }
    }

    /** A snapshot once background work after a success (pruning, the janitor) has settled. */
    private Snapshot settledSnapshot() throws InterruptedException {
        Snapshot last = snapshot();
        for (int i = 0; i < 20; i++) {
            Thread.sleep(250);
            Snapshot now = snapshot();
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private Snapshot snapshot() {
        String prefix = props.etcd().prefix();
        Map<String, String> keys = new TreeMap<>();
        for (KeyValue kv : store.list(prefix + "/")) {
            // the node's heartbeat rewrites its own entry (free counts) whenever they change: not a call's doing
            if (!kv.key().startsWith(prefix + "/apis/v1/nodes/")) {
                keys.put(kv.key(), kv.value());
            }
        }
        Set<String> containers = new TreeSet<>();
        engine.listByLabels(ManagedLabels.owner(prefix)).forEach(c -> containers.add(c.name() + (c.running() ? " running" : " stopped")));
        Set<String> volumes = new TreeSet<>();
        volumeEngine.listVolumesByLabels(ManagedLabels.owner(prefix)).forEach(v -> volumes.add(v.name()));
        return new Snapshot(keys, containers, volumes);
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }
}
