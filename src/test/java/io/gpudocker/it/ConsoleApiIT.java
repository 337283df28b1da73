package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * What the console stands on, as any client calls it: who a token is, the images a tenant may start from, the
 * terminal's ticketed WebSocket (and whom it refuses), and the console's own files with their security headers.
 */
class ConsoleApiIT extends IntegrationTestBase {
    @Autowired
    DockerClient docker;
    private final List<String> tokens = new ArrayList<>();
    private final List<String> images = new ArrayList<>();

    @AfterEach
    void removeTokensAndImages() {
        deleteReplicaSets();
        images.forEach(i -> docker.removeImageCmd(i).withForce(true).exec());
        tokens.forEach(t -> api.delete("/tokens/" + t));
    }

    private String tenant(String base) {
        String name = base + UUID.randomUUID().toString().replace("-", "").substring(0, 6);
        Api.Reply r = api.post("/tokens", Map.of("name", name));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        tokens.add(name);
        return r.data().path("token").asString();
    }

    @Test
    void whoamiNamesTheTokensTenant() {
        String alice = tenant("alice");
        assertThat(api.as(alice).get("/whoami").data().path("name").asString()).isEqualTo(tokens.get(0));
        assertThat(api.as(alice).get("/whoami").data().path("admin").asBoolean()).isFalse();
        assertThat(api.get("/whoami").data().path("admin").asBoolean()).isTrue();
        assertThat(api.as(null).get("/whoami").status()).isEqualTo(401);
    }

    @Test
    void anImageATenantCommittedIsListedForThatTenantAndTheAdminOnly() {
        String alice = tenant("alice");
        String bob = tenant("bob");
        String name = name("img");
        assertThat(api.as(alice).post("/replicaSet", createBody(name, 0, SLEEP, List.of())).status()).isEqualTo(200);
        // a tenant commits under its own namespace
        String image = tokens.get(0) + "/console-it-" + name.toLowerCase() + ":v1";
        images.add(image);
        assertThat(api.as(alice).post("/replicaSet/" + name + "/commit", Map.of("newImageName", image)).status()).isEqualTo(200);

        assertThat(imageNames(alice)).contains(image, IMAGE);
        assertThat(imageNames(bob)).contains(IMAGE).doesNotContain(image);
        assertThat(imageNames(ADMIN_TOKEN)).contains(image, IMAGE);
        JsonNode listed = null;
        for (JsonNode i : api.as(alice).get("/images").data()) {
            if (i.path("name").asString().equals(image)) {
                listed = i;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.path("committedFrom").asString()).isEqualTo(name);
        assertThat(listed.path("sizeBytes").asLong()).isPositive();
        assertThat(api.as(null).get("/images").status()).isEqualTo(401);
    }

    @Test
    void theTerminalRunsAShellForTheTicketsHolderOnlyAndOnlyOnce() throws Exception {
        String alice = tenant("alice");
        String bob = tenant("bob");
        String name = name("term");
        assertThat(api.as(alice).post("/replicaSet", createBody(name, 0, SLEEP, List.of())).status()).isEqualTo(200);

        assertThat(api.as(bob).post("/replicaSet/" + name + "/terminal", Map.of()).code()).as("another tenant's instance").isEqualTo(1016);
        assertThat(api.as(null).post("/replicaSet/" + name + "/terminal", Map.of()).status()).isEqualTo(401);
        assertThat(handshakeStatus("/ws/terminal")).as("no ticket").isEqualTo(401);
        assertThat(handshakeStatus("/ws/terminal?ticket=0123456789abcdef")).as("a made-up ticket").isEqualTo(401);

        Api.Reply ticket = api.as(alice).post("/replicaSet/" + name + "/terminal", Map.of());
        assertThat(ticket.status()).as("%s", ticket).isEqualTo(200);
        String path = ticket.data().path("path").asString();
        Output output = new Output();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + path + "&cols=100&rows=30"), output).get(30, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"input\",\"data\":\"stty size; echo shell-$((6*7))\\r\"}", true).get(10, TimeUnit.SECONDS);
        output.await("shell-42");
        assertThat(output.text()).contains("30 100");
        socket.sendText("{\"type\":\"resize\",\"cols\":120,\"rows\":40}", true).get(10, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"input\",\"data\":\"stty size\\r\"}", true).get(10, TimeUnit.SECONDS);
        output.await("40 120");
        socket.sendText("{\"type\":\"input\",\"data\":\"exit\\r\"}", true).get(10, TimeUnit.SECONDS);
        // closed by the service as the shell ends (the close code as this client reads it varies: 1000 or 1006)
        assertThat(output.closed.get(30, TimeUnit.SECONDS)).as("the socket closes when the shell ends").isIn(1000, 1006);

        assertThat(handshakeStatus(path)).as("a spent ticket").isEqualTo(401);
    }

    @Test
    void theConsolesFilesAreServedWithoutATokenAndUnderAContentSecurityPolicy() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("console/app.js");
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-eval");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        for (String asset : List.of("/console/app.js", "/console/console.css", "/webjars/xterm/lib/xterm.js", "/webjars/xterm-addon-fit/lib/xterm-addon-fit.js")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + asset)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(asset).isEqualTo(200);
        }
    }

    private List<String> imageNames(String token) {
        List<String> names = new ArrayList<>();
        api.as(token).get("/images").data().forEach(i -> names.add(i.path("name").asString()));
        return names;
    }

    private int handshakeStatus(String path) throws InterruptedException {
        try {
            HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + path), new Output()).get(30, TimeUnit.SECONDS)
                    .abort();
            return 101;
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no answer to the handshake on " + path, e);
        }
    }

    /** Collects the terminal's output. */
    static final class Output implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            synchronized (text) {
                text.append(new String(bytes, StandardCharsets.UTF_8));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }

        void await(String expected) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> text().contains(expected));
        }
    }
}
