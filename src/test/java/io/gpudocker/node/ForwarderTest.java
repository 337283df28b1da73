package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.gpudocker.api.Caller;
import io.gpudocker.store.Keys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How a call reaches the node that holds its object, and what a caller is told when that node cannot be reached. */
class ForwarderTest {
    private static final ClusterSecret SHARED = ClusterSecret.of("a secret both nodes share, 32+ bytes".getBytes(StandardCharsets.UTF_8));
    private static final Caller ALICE = Caller.tenant("alice");

    private final InterNodeCredential receiver = new InterNodeCredential(SHARED, new Keys("/p", "b"), Clock.systemUTC());
    private final Forwarder forwarder = new Forwarder(new InterNodeCredential(SHARED, new Keys("/p", "a"), Clock.systemUTC()), "a", null);
    private final Set<String> clients = ConcurrentHashMap.newKeySet();
    private final List<String> verdicts = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch streamLeft = new CountDownLatch(1);
    private HttpServer server;
    private String advertise;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/api/v1/", exchange -> {
            calls.incrementAndGet();
            clients.add(exchange.getRemoteAddress().toString());
            byte[] body = exchange.getRequestBody().readAllBytes();
            String uri = exchange.getRequestURI().toString();
            InterNodeCredential.Verdict v = receiver.verify(exchange.getRequestMethod(), uri, exchange.getRequestHeaders()::getFirst, body);
            verdicts.add(exchange.getRequestMethod() + " " + (v.accepted() ? v.caller().name() : v.refusal()) + " " + new String(body, StandardCharsets.UTF_8));
            if (uri.endsWith("/tagged")) {
                exchange.getResponseHeaders().add("ETag", "\"t1\"");
                if ("\"t1\"".equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                    exchange.sendResponseHeaders(304, -1);
                    exchange.close();
                    return;
                }
            }
            if (uri.endsWith("/busy")) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            if (uri.endsWith("/follow")) {
                exchange.sendResponseHeaders(200, 0); // chunked, without end: a followed log
                try (OutputStream out = exchange.getResponseBody()) {
                    for (int i = 0; i < 600; i++) {
                        out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException left) {
                    streamLeft.countDown();
                }
                return;
            }
            byte[] answer = ("{\"code\":200,\"msg\":\"" + uri + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        advertise = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void callsFollowingEachOtherGoOverOneKeptAliveConnectionEachSignedForTheReceiver() throws IOException {
        for (int i = 0; i < 3; i++) {
            try (Forwarder.Answer answer = forwarder.send("b", advertise, "GET", "/api/v1/replicaSet/foo?x=" + i, null, new byte[0], ALICE)) {
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.header("content-type")).contains("application/json");
                assertThat(new String(answer.body().readAllBytes(), StandardCharsets.UTF_8)).contains("/api/v1/replicaSet/foo?x=" + i);
            }
        }
        try (Forwarder.Answer answer = forwarder.send("b", advertise, "PATCH", "/api/v1/replicaSet/foo", "application/json",
                "{\"gpuCount\":1}".getBytes(StandardCharsets.UTF_8), ALICE)) {
            assertThat(answer.status()).isEqualTo(200);
            answer.body().readAllBytes();
        }
        assertThat(verdicts).containsExactly("GET alice ", "GET alice ", "GET alice ", "PATCH alice {\"gpuCount\":1}");
        assertThat(clients).as("client ends of the connections the calls came over").hasSize(1);
    }

    @Test
    void theOwnersTagIsRelayedAndTheCallersConditionReachesTheOwnerWhichAnswersNotModified() throws IOException {
        try (Forwarder.Answer answer = forwarder.send("b", advertise, "GET", "/api/v1/replicaSet/tagged", null, new byte[0], ALICE, null, null)) {
            org.springframework.mock.web.MockHttpServletResponse relayed = new org.springframework.mock.web.MockHttpServletResponse();
            Forwarder.relay(answer, relayed);
            assertThat(relayed.getStatus()).isEqualTo(200);
            assertThat(relayed.getHeader("ETag")).isEqualTo("\"t1\"");
            assertThat(relayed.getContentAsString()).contains("/api/v1/replicaSet/tagged");
        }
        try (Forwarder.Answer answer = forwarder.send("b", advertise, "GET", "/api/v1/replicaSet/tagged", null, new byte[0], ALICE, "\"t1\"", null)) {
            org.springframework.mock.web.MockHttpServletResponse relayed = new org.springframework.mock.web.MockHttpServletResponse();
            Forwarder.relay(answer, relayed);
            assertThat(relayed.getStatus()).isEqualTo(304);
            assertThat(relayed.getHeader("ETag")).isEqualTo("\"t1\"");
            assertThat(relayed.getContentAsByteArray()).isEmpty();
        }
        // the condition is not signed, and needs not be: it only spares the answer's body, which the caller may read anyway
        assertThat(verdicts).containsExactly("GET alice ", "GET alice ");
    }

    @Test
    void anAnswerTheOtherNodeRefusesWithIsRelayedNotRetried() throws IOException {
        try (Forwarder.Answer answer = forwarder.send("b", advertise, "GET", "/api/v1/busy", null, new byte[0], ALICE)) {
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.header("Retry-After")).contains("1");
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void anAnswerLeftBeforeItsEndDropsItsConnectionAndTheNextCallTakesANewOne() throws Exception {
        long start = System.nanoTime();
        try (Forwarder.Answer answer = forwarder.send("b", advertise, "GET", "/api/v1/follow", null, new byte[0], ALICE)) {
            InputStream in = answer.body();
            assertThat(new String(in.readNBytes(7), StandardCharsets.UTF_8)).isEqualTo("line 0\n");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closing a followed answer does not wait for its end").isLessThan(Duration.ofSeconds(10));
        assertThat(streamLeft.await(10, TimeUnit.SECONDS)).as("the other node saw its stream's reader leave").isTrue();
        try (Forwarder.Answer answer = forwarder.send("b", advertise, "GET", "/api/v1/replicaSet/foo", null, new byte[0], ALICE)) {
            assertThat(answer.status()).isEqualTo(200);
        }
        assertThat(clients).hasSize(2);
    }

    @Test
    void aNodeThatDoesNotListenIsAnIoFailureNamedAsARefusedConnection() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String nobody = "http://127.0.0.1:" + port;
        assertThatThrownBy(() -> forwarder.send("b", nobody, "GET", "/api/v1/replicaSet/foo", null, new byte[0], ALICE))
                .isInstanceOf(ConnectException.class)
                .satisfies(e -> assertThat(Forwarder.unreachable(nobody, (IOException) e)).isEqualTo("unreachable at " + nobody + " (ConnectException)"));
    }

    @Test
    @org.junit.jupiter.api.Timeout(20) // without the limit the call waits for ever
    void aQuestionAskedWithinATimeIsGivenUpWhenTheNodeAcceptsButDoesNotAnswer() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            String mute = "http://127.0.0.1:" + silent.getLocalPort();
            // the connection is accepted by the kernel's backlog; nothing is ever read or written back
            assertThatThrownBy(() -> forwarder.send("b", mute, "POST", "/api/v1/internal/moves/foo/containers", "application/json", "{}".getBytes(StandardCharsets.UTF_8),
                    ALICE, null, java.time.Duration.ofMillis(300))).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aFailedTlsHandshakeIsNamedAsSuchAndOtherFailuresAreNot() {
        assertThat(Forwarder.unreachable("https://b:2378", new SSLHandshakeException("PKIX path building failed")))
                .startsWith("refused over TLS at https://b:2378: its certificate is not trusted").contains("gda.node.trust-store");
        assertThat(Forwarder.unreachable("https://b:2378", new IOException("wrapped", new SSLHandshakeException("PKIX path building failed"))))
                .startsWith("refused over TLS at https://b:2378");
        assertThat(Forwarder.unreachable("http://b:2378", new ConnectException())).isEqualTo("unreachable at http://b:2378 (ConnectException)");
    }
}
