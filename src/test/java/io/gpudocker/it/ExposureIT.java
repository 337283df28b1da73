package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * What a caller on the open port can and cannot do besides the API's own rules: actuator details, body sizes,
 * followed logs, CORS. A service of its own (own etcd prefix, small limits), closed after this class.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ExposureIT extends IntegrationTestBase {
    static final String CONSOLE = "https://console.example.com";
    static final int BODY_LIMIT = 64 * 1024;
    static final Duration IDLE = Duration.ofSeconds(3);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> tenants = new ArrayList<>();
    private final List<InputStream> streams = new ArrayList<>();

    @DynamicPropertySource
    static void smallLimits(DynamicPropertyRegistry registry) {
        registry.add("gda.etcd.prefix", () -> "/gpu-docker-api-exposure-it");
        registry.add("gda.limits.max-body-size", () -> BODY_LIMIT + "B");
        registry.add("gda.logs.max-follows-per-tenant", () -> "2");
        registry.add("gda.logs.max-follows", () -> "3");
        registry.add("gda.logs.follow-idle-timeout", () -> IDLE.toSeconds() + "s");
        registry.add("gda.cors.allowed-origins", () -> CONSOLE);
    }

    @AfterEach
    void closeStreamsAndRevokeTenants() throws IOException {
        for (InputStream s : streams) {
            s.close();
        }
        for (String t : tenants) {
            api.delete("/tokens/" + t);
        }
    }

    @Test
    void actuatorDetailsAndEndpointsAreTheAdmins() {
        Api anonymous = root(null);
        Api tenant = root(tenant("watcher"));
        Api admin = root(ADMIN_TOKEN);

        JsonNode open = Api.JSON.readTree(anonymous.text("/actuator/health"));
        assertThat(open.path("status").asString()).isEqualTo("UP");
        assertThat(open.has("components")).as("no details without a token: %s", open).isFalse();
        assertThat(Api.JSON.readTree(tenant.text("/actuator/health")).has("components")).as("nor for a tenant").isFalse();
        JsonNode detailed = Api.JSON.readTree(admin.text("/actuator/health"));
        assertThat(detailed.path("components").path("etcd").path("status").asString()).isEqualTo("UP");
        assertThat(detailed.path("components").path("docker").path("details").has("storageDriver")).isTrue();

        for (String endpoint : List.of("/actuator/prometheus", "/actuator/info", "/actuator/metrics")) {
            Api.Reply none = anonymous.get(endpoint);
            assertThat(none.status()).as(endpoint).isEqualTo(401);
            assertThat(none.code()).isEqualTo(1060);
            Api.Reply refused = tenant.get(endpoint);
            assertThat(refused.status()).as(endpoint).isEqualTo(403);
            assertThat(refused.code()).isEqualTo(1061);
            assertThat(refused.msg()).isEqualTo("only the admin token may call GET " + endpoint);
            assertThat(TlsIT.status(http, base() + endpoint, ADMIN_TOKEN)).as(endpoint).isEqualTo(200);
        }

        JsonNode doc = Api.JSON.readTree(anonymous.text("/v3/api-docs"));
        assertThat(doc.path("components").path("securitySchemes").path("bearer").path("scheme").asString()).isEqualTo("bearer");
        assertThat(anonymous.text("/swagger-ui/index.html")).contains("<div id=\"swagger-ui\">");
    }

    @Test
    void bodiesOverTheLimitAreRefusedWith413() throws Exception {
        String name = name("big");
        String oversized = createJson(name, BODY_LIMIT + 1);
        HttpResponse<String> announced = send(post("/api/v1/replicaSet", ADMIN_TOKEN, HttpRequest.BodyPublishers.ofString(oversized)));
        assertThat(announced.statusCode()).as(announced.body()).isEqualTo(413);
        assertThat(Api.JSON.readTree(announced.body()).path("code").asInt()).isEqualTo(1064);
        assertThat(Api.JSON.readTree(announced.body()).path("msg").asString()).contains("at most " + BODY_LIMIT);

        // no Content-Length: the body arrives chunked and is counted while it is read
        HttpResponse<String> chunked = send(post("/api/v1/replicaSet", ADMIN_TOKEN,
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(oversized.getBytes()))));
        assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
        assertThat(Api.JSON.readTree(chunked.body()).path("code").asInt()).isEqualTo(1064);
        assertThat(api.get("/replicaSet/" + name).status()).as("nothing was created").isEqualTo(404);

        HttpResponse<String> fits = send(post("/api/v1/replicaSet", ADMIN_TOKEN,
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(createJson(name, BODY_LIMIT - 10).getBytes()))));
        assertThat(fits.statusCode()).as(fits.body()).isEqualTo(200);
    }

    @Test
    void followedLogsAreLimitedPerTenantAndInAll() throws Exception {
        String alice = tenant("alice");
        String bob = tenant("bob");
        String mine = name("flw");
        String theirs = name("flw");
        assertThat(api.as(alice).post("/replicaSet", createBody(mine, 0, LogsIT.TICKER, List.of())).status()).isEqualTo(200);
        assertThat(api.as(bob).post("/replicaSet", createBody(theirs, 0, LogsIT.TICKER, List.of())).status()).isEqualTo(200);

        InputStream first = follow(alice, mine);
        follow(alice, mine);
        HttpResponse<String> third = send(get("/api/v1/replicaSet/" + mine + "/logs?follow=true&tail=1", alice));
        assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
        assertThat(Api.JSON.readTree(third.body()).path("code").asInt()).isEqualTo(1065);
        assertThat(Api.JSON.readTree(third.body()).path("msg").asString()).contains("already follows 2");
        assertThat(send(get("/api/v1/replicaSet/" + mine + "/logs?tail=1", alice)).statusCode()).as("reading without follow is not limited").isEqualTo(200);

        follow(bob, theirs);
        HttpResponse<String> overall = send(get("/api/v1/replicaSet/" + theirs + "/logs?follow=true&tail=1", bob));
        assertThat(overall.statusCode()).isEqualTo(429);
        assertThat(Api.JSON.readTree(overall.body()).path("msg").asString()).contains("3 followed logs are open");

        // the client leaves: its slot comes back once the next line cannot be written
        first.close();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<InputStream> r = http.send(get("/api/v1/replicaSet/" + theirs + "/logs?follow=true&tail=1", bob), HttpResponse.BodyHandlers.ofInputStream());
            streams.add(r.body());
            return r.statusCode() == 200;
        });
    }

    @Test
    void aFollowedLogWithoutOutputEndsAfterTheIdleTimeout() throws Exception {
        String name = name("idle");
        create(name, 0);
        for (int round = 0; round < 3; round++) {
            long started = System.nanoTime();
            HttpResponse<String> r = send(get("/api/v1/replicaSet/" + name + "/logs?follow=true&tail=0", ADMIN_TOKEN));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(r.statusCode()).as("round %d: %s", round, r.body()).isEqualTo(200);
            assertThat(took).isGreaterThanOrEqualTo(IDLE.minusMillis(200)).isLessThan(IDLE.plusSeconds(10));
        }
        // three ended streams, two slots for the admin: each gave its slot back
    }

    @Test
    void corsAnswersOnlyTheListedOrigin() throws Exception {
        HttpResponse<String> allowed = send(preflight(CONSOLE));
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(CONSOLE);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("GET", "POST", "PATCH", "DELETE");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase()).contains("authorization", "content-type");

        HttpResponse<String> call = send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/replicaSet")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Origin", CONSOLE).build());
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(call.headers().firstValue("Access-Control-Allow-Origin")).hasValue(CONSOLE);

        HttpResponse<String> other = send(preflight("https://elsewhere.example.com"));
        assertThat(other.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-allow"));
        assertThat(other.statusCode()).isEqualTo(403);
    }

    private HttpRequest preflight(String origin) {
        return HttpRequest.newBuilder(URI.create(base() + "/api/v1/replicaSet")).timeout(Duration.ofSeconds(10))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .build();
    }

    private InputStream follow(String token, String name) throws Exception {
        HttpResponse<InputStream> r = http.send(get("/api/v1/replicaSet/" + name + "/logs?follow=true&tail=1", token), HttpResponse.BodyHandlers.ofInputStream());
        streams.add(r.body());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** Issues a token for a fresh tenant (revoked after the test). */
    private String tenant(String base) {
        String tenantName = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api.Reply r = api.post("/tokens", Map.of("name", tenantName));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        tenants.add(tenantName);
        return r.data().path("token").asString();
    }

    /** A create body of about {@code bytes} bytes, padded with environment entries each within the per-entry bound. */
    private String createJson(String name, int bytes) {
        StringBuilder env = new StringBuilder();
        String head = "{\"imageName\": \"" + IMAGE + "\", \"replicaSetName\": \"" + name + "\", \"gpuCount\": 0, \"cmd\": [\"sleep\", \"100000\"], \"env\": [";
        String tail = "]}";
        for (int i = 0; head.length() + env.length() + tail.length() < bytes; i++) {
            int room = bytes - head.length() - env.length() - tail.length();
            String entry = (i == 0 ? "" : ",") + "\"PAD" + i + "=";
            env.append(entry).append("x".repeat(Math.max(0, Math.min(4000, room - entry.length() - 1)))).append('"');
        }
        return head + env + tail;
    }

    private Api root(String token) {
        return new Api("http://127.0.0.1:" + port, token);
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private HttpRequest post(String path, String token, HttpRequest.BodyPublisher body) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json").POST(body).build();
    }

    private HttpRequest get(String path, String token) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).build();
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
