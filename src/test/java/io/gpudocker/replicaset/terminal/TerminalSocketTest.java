package io.gpudocker.replicaset.terminal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.replicaset.SessionSlots;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.Shell;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.store.Stored;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.HttpRequestHandler;
import org.springframework.web.servlet.handler.SimpleUrlHandlerMapping;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.ServletWebSocketHandlerRegistry;

/**
 * The terminal's WebSocket: the handshake spends a ticket (or hands another node's to the relay), the socket
 * then joins the browser to a shell in the replicaset's running container, both ways, and each end closes the other.
 * Docker and etcd are stood in for; the tickets are the real ones.
 */
class TerminalSocketTest {
    private static final Caller ALICE = Caller.tenant("alice");
    /** Another node's ticket whose seal the (stood-in) relay vouches for. */
    private static final String SEALED = "gpu2~" + "cd".repeat(24) + ".sealed";

    private Instant now = Instant.parse("2025-01-01T08:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() { return ZoneOffset.UTC; }

        @Override
        public Clock withZone(ZoneId zone) { return this; }

        @Override
        public Instant instant() { return now; }
    };
    private final ReplicaSetRepository repo = mock(ReplicaSetRepository.class);
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final TerminalRelay relay = mock(TerminalRelay.class);
    private final TerminalTickets tickets = new TerminalTickets(repo, engine, Duration.ofSeconds(30), clock);
    private final TerminalSocket socket = new TerminalSocket(tickets, engine, relay);
    private final FakeShell shell = new FakeShell();
    private Shell.Output output;

    @BeforeEach
    void aliceRunsFooAndStoppedBar() {
        ReplicaSetRecord foo = new ReplicaSetRecord("foo", 2, ReplicaSetState.RUNNING, List.of(), Map.of(), now, now, "alice");
        when(repo.require("foo", ALICE)).thenReturn(new Stored<>(foo, 1));
        when(repo.localNode()).thenReturn("local");
        when(relay.sealed(SEALED)).thenReturn(true);
        when(engine.inspect("foo-2")).thenReturn(Optional.of(ContainerDetail.of(new ContainerSummary("id2", "foo-2", "Up", true, false, Map.of()))));
        when(engine.openShell(anyString(), anyList(), anyInt(), anyInt(), any())).thenAnswer(call -> {
            output = call.getArgument(4);
            return shell;
        });
    }

    // --- the handshake

    @Test
    void aHandshakeWithoutATicketIsRefusedWith401() {
        Handshake h = handshake("/ws/terminal?cols=80&rows=24");

        assertThat(h.accepted).isFalse();
        assertThat(h.servlet.getStatus()).isEqualTo(401);
        assertThat(h.attributes).isEmpty();
        verifyNoInteractions(relay);
    }

    @Test
    void anUnknownOrMalformedTicketIsRefusedWith401() {
        for (String ticket : List.of("local~" + "ab".repeat(24), "not-a-ticket", "")) {
            Handshake h = handshake("/ws/terminal?ticket=" + ticket);
            assertThat(h.accepted).as(ticket).isFalse();
            assertThat(h.servlet.getStatus()).as(ticket).isEqualTo(401);
            assertThat(h.attributes).as(ticket).isEmpty();
        }
        verifyNoInteractions(relay);
    }

    @Test
    void aTicketOpensOneSocketOnly() {
        String ticket = tickets.issue("foo", ALICE).ticket();

        assertThat(handshake("/ws/terminal?ticket=" + ticket).accepted).isTrue();
        Handshake again = handshake("/ws/terminal?ticket=" + ticket);

        assertThat(again.accepted).as("spent").isFalse();
        assertThat(again.servlet.getStatus()).isEqualTo(401);
    }

    @Test
    void anExpiredTicketIsRefusedWith401() {
        String ticket = tickets.issue("foo", ALICE).ticket();
        now = now.plusSeconds(30);

        Handshake h = handshake("/ws/terminal?ticket=" + ticket);

        assertThat(h.accepted).isFalse();
        assertThat(h.servlet.getStatus()).isEqualTo(401);
    }

    @Test
    void aValidTicketIsAcceptedWithItsGrant() {
        String ticket = tickets.issue("foo", ALICE).ticket();

        Handshake h = handshake("/ws/terminal?ticket=" + ticket);

        assertThat(h.accepted).isTrue();
        assertThat(h.servlet.getStatus()).isEqualTo(200);
        assertThat(h.attributes).containsValue(new TerminalTickets.Grant("foo", ALICE));
        verifyNoInteractions(relay);
    }

    @Test
    void anotherNodesTicketIsLeftForThatNodeToSpendAndRelayed() {
        String ticket = SEALED;

        Handshake h = handshake("/ws/terminal?ticket=" + ticket + "&cols=100&rows=30");

        assertThat(h.accepted).as("the issuing node spends it").isTrue();
        assertThat(h.attributes).containsValue("gpu2").doesNotContainValue(new TerminalTickets.Grant("foo", ALICE));
    }

    @Test
    void aTicketNamingAnotherNodeWithoutAValidSealIsRefusedWith401AndNeverRelayed() {
        for (String forged : List.of("gpu2~" + "cd".repeat(24), "gpu2~" + "cd".repeat(24) + ".0123", "gpu2~anything")) {
            Handshake h = handshake("/ws/terminal?ticket=" + forged);
            assertThat(h.accepted).as(forged).isFalse();
            assertThat(h.servlet.getStatus()).as(forged).isEqualTo(401);
            assertThat(h.attributes).as(forged).isEmpty();
        }
        verify(relay, never()).open(any(), anyString(), any());
    }

    @Test
    void withoutARelayAnotherNodesTicketIsRefused() {
        TerminalSocket alone = new TerminalSocket(tickets, engine, null);
        MockHttpServletResponse servlet = new MockHttpServletResponse();
        Map<String, Object> attributes = new HashMap<>();

        boolean accepted = alone.beforeHandshake(new ServletServerHttpRequest(request("/ws/terminal?ticket=gpu2~" + "cd".repeat(24))),
                new ServletServerHttpResponse(servlet), alone, attributes);

        assertThat(accepted).isFalse();
        assertThat(servlet.getStatus()).isEqualTo(401);
        assertThat(attributes).isEmpty();
    }

    /**
     * As registered: Spring's same-origin check (no allowed origins configured), then the ticket check, before any
     * upgrade. A page of another site is refused with 403 and its ticket stays unspent, so a page that learnt a
     * ticket cannot burn it before its owner's browser uses it; no ticket is 401.
     */
    @Test
    void asRegisteredAnotherSitesPageIsRefusedWith403BeforeItsTicketIsSpent() throws Exception {
        TerminalConfig config = new TerminalConfig(repo, engine, new DefaultListableBeanFactory().getBeanProvider(TerminalRelay.class));
        ServletWebSocketHandlerRegistry registry = new ServletWebSocketHandlerRegistry();
        config.registerWebSocketHandlers(registry);
        String ticket = config.terminalTickets().issue("foo", ALICE).ticket();

        MockHttpServletRequest foreign = request("/ws/terminal?ticket=" + ticket);
        foreign.addHeader(HttpHeaders.ORIGIN, "https://elsewhere.example");
        assertThat(serve(registry, foreign).getStatus()).isEqualTo(403);

        MockHttpServletRequest noTicket = request("/ws/terminal");
        noTicket.addHeader(HttpHeaders.ORIGIN, "http://localhost");
        assertThat(serve(registry, noTicket).getStatus()).isEqualTo(401);

        MockHttpServletRequest foreignNoTicket = request("/ws/terminal");
        foreignNoTicket.addHeader(HttpHeaders.ORIGIN, "https://elsewhere.example");
        assertThat(serve(registry, foreignNoTicket).getStatus()).as("the origin is checked first").isEqualTo(403);

        MockHttpServletRequest sameSite = request("/ws/terminal?ticket=" + ticket);
        sameSite.addHeader(HttpHeaders.ORIGIN, "http://localhost");
        assertThat(serve(registry, sameSite).getStatus()).as("the refused page left the ticket; past both checks, a plain GET is no upgrade")
                .isEqualTo(400);
        assertThat(config.terminalTickets().redeem(ticket)).as("spent by the handshake").isEmpty();
        verify(engine, never()).openShell(anyString(), anyList(), anyInt(), anyInt(), any());
    }

    // --- caps

    @Test
    void aTenantAtItsCapOfOpenTerminalsGetsNoTicketAndNoFurtherShell() throws Exception {
        SessionSlots open = new SessionSlots("terminal(s)", "gda.sessions.terminals-per-tenant", 1, 5);
        TerminalTickets capped = new TerminalTickets(repo, engine, Duration.ofSeconds(30), clock, open);
        TerminalSocket one = new TerminalSocket(capped, engine, relay, open, Duration.ofMinutes(30), clock);
        String beforeTheFirstOpened = capped.issue("foo", ALICE).ticket();
        FakeSession first = connect(one, capped);

        ApiException refused = org.assertj.core.api.Assertions.catchThrowableOfType(ApiException.class, () -> capped.issue("foo", ALICE));
        assertThat(refused.code()).isEqualTo(ErrorCode.TOO_MANY_SESSIONS);
        assertThat(refused.getMessage()).contains("gda.sessions.terminals-per-tenant", "1 terminal(s)");
        FakeSession second = establish(one, capped, beforeTheFirstOpened);
        assertThat(second.closed.getCode()).isEqualTo(CloseStatus.POLICY_VIOLATION.getCode());
        assertThat(second.closed.getReason()).contains("gda.sessions.terminals-per-tenant");
        verify(engine, org.mockito.Mockito.times(1)).openShell(anyString(), anyList(), anyInt(), anyInt(), any());

        one.afterConnectionClosed(first, CloseStatus.NORMAL);
        one.afterConnectionClosed(second, second.closed);
        assertThat(open.openFor(ALICE)).isZero();
        assertThat(connect(one, capped).closed).as("the slot came back").isNull();
    }

    @Test
    void aTerminalIdleForItsTimeoutIsClosedAndOneInUseIsNot() throws Exception {
        SessionSlots open = new SessionSlots("terminal(s)", "gda.sessions.terminals-per-tenant", 4, 5);
        TerminalSocket timed = new TerminalSocket(tickets, engine, relay, open, Duration.ofMinutes(10), clock);
        FakeSession idle = connect(timed, tickets);
        now = now.plus(Duration.ofMinutes(6));
        FakeSession busy = connect(timed, tickets);
        now = now.plus(Duration.ofMinutes(5));
        timed.handleTextMessage(busy, new TextMessage("{\"type\":\"input\",\"data\":\"ls\\n\"}"));

        timed.closeIdle();

        assertThat(idle.closed).isNotNull();
        assertThat(idle.closed.getReason()).contains("without input or output");
        assertThat(busy.closed).isNull();
    }

    // --- the session

    @Test
    void aValidTicketOpensALoginShellInTheReplicaSetsRunningContainerAtTheAskedSize() throws Exception {
        FakeSession session = connect("cols=120&rows=40");

        verify(engine).openShell(eq("foo-2"), eq(TerminalSocket.SHELL_COMMAND), eq(120), eq(40), any());
        assertThat(session.closed).isNull();
        assertThat(session.attributes).containsValue(shell);
    }

    @Test
    void aSizeMissingOrOutOfBoundsFallsBackTo80By24() throws Exception {
        connect("cols=1&rows=1001");
        verify(engine).openShell(eq("foo-2"), anyList(), eq(80), eq(24), any());
    }

    @Test
    void aSizeThatIsNoNumberFallsBackTo80By24() throws Exception {
        connect("cols=wide");
        verify(engine).openShell(eq("foo-2"), anyList(), eq(80), eq(24), any());
    }

    @Test
    void inputFramesReachTheShellAsUtf8() throws Exception {
        FakeSession session = connect("");

        socket.handleMessage(session, new TextMessage("{\"type\":\"input\",\"data\":\"ls -l\\r\"}"));
        socket.handleMessage(session, new TextMessage("{\"type\":\"input\",\"data\":\"é\"}"));

        assertThat(shell.sent).containsExactly("ls -l\r", "é");
    }

    @Test
    void resizeMessagesResizeTheShell() throws Exception {
        FakeSession session = connect("");

        socket.handleMessage(session, new TextMessage("{\"type\":\"resize\",\"cols\":132,\"rows\":43}"));
        socket.handleMessage(session, new TextMessage("{\"type\":\"resize\",\"cols\":\"100\",\"rows\":\"30\"}"));
        socket.handleMessage(session, new TextMessage("{\"type\":\"resize\",\"cols\":0,\"rows\":5000}"));

        assertThat(shell.sizes).containsExactly("132x43", "100x30", "80x24");
    }

    @Test
    void framesThatAreNotMessagesOfOursAreIgnored() throws Exception {
        FakeSession session = connect("");

        socket.handleMessage(session, new TextMessage("not json"));
        socket.handleMessage(session, new TextMessage("{\"type\":\"shutdown\"}"));
        socket.handleMessage(session, new TextMessage("{\"data\":\"rm -rf /\"}"));

        assertThat(shell.sent).isEmpty();
        assertThat(shell.sizes).isEmpty();
        assertThat(session.closed).isNull();
    }

    @Test
    void framesBeforeAShellExistsAreIgnored() throws Exception {
        FakeSession session = new FakeSession(URI.create("/ws/terminal"));

        socket.handleMessage(session, new TextMessage("{\"type\":\"input\",\"data\":\"ls\"}"));

        assertThat(shell.sent).isEmpty();
        verifyNoInteractions(relay);
    }

    @Test
    void theShellsOutputReachesTheSocketAsBinaryFrames() throws Exception {
        FakeSession session = connect("");

        output.write("$ ".getBytes(StandardCharsets.UTF_8));
        output.write(new byte[] {27, '[', 'H'});

        assertThat(session.sent).hasSize(2).allSatisfy(m -> assertThat(m).isInstanceOf(BinaryMessage.class));
        assertThat(bytes(session.sent.get(0))).isEqualTo("$ ".getBytes(StandardCharsets.UTF_8));
        assertThat(bytes(session.sent.get(1))).isEqualTo(new byte[] {27, '[', 'H'});
    }

    @Test
    void outputToASocketTheBrowserLeftIsDropped() throws Exception {
        FakeSession session = connect("");
        session.failSends = true;

        output.write("lost".getBytes(StandardCharsets.UTF_8));

        assertThat(session.sent).isEmpty();
        assertThat(shell.closed).isFalse();
    }

    @Test
    void theShellsEndClosesTheSocketNormally() throws Exception {
        FakeSession session = connect("");

        output.ended();

        assertThat(session.closed).isNotNull();
        assertThat(session.closed.getCode()).isEqualTo(CloseStatus.NORMAL.getCode());
        assertThat(session.closed.getReason()).isEqualTo("the shell ended");
    }

    @Test
    void theSocketsCloseClosesTheShellOnce() throws Exception {
        FakeSession session = connect("");

        socket.afterConnectionClosed(session, CloseStatus.GOING_AWAY);
        socket.afterConnectionClosed(session, CloseStatus.GOING_AWAY);

        assertThat(shell.closeCount).isEqualTo(1);
        assertThat(session.attributes).doesNotContainValue(shell);
        verifyNoInteractions(relay);
    }

    @Test
    void aSocketClosedBeforeItHadAShellClosesNothing() {
        FakeSession session = new FakeSession(URI.create("/ws/terminal"));

        socket.afterConnectionClosed(session, CloseStatus.NORMAL);

        assertThat(shell.closeCount).isZero();
        verifyNoInteractions(relay);
    }

    @Test
    void aReplicaSetNoLongerRunningClosesTheSocketAsAPolicyViolationWithTheReason() throws Exception {
        String ticket = tickets.issue("foo", ALICE).ticket();
        Handshake h = handshake("/ws/terminal?ticket=" + ticket);
        // stopped between the ticket and the socket
        ReplicaSetRecord stopped = new ReplicaSetRecord("foo", 2, ReplicaSetState.STOPPED, List.of(), Map.of(), now, now, "alice");
        when(repo.require("foo", ALICE)).thenReturn(new Stored<>(stopped, 2));
        when(engine.inspect("foo-2")).thenReturn(Optional.of(ContainerDetail.of(new ContainerSummary("id2", "foo-2", "Exited", false, false, Map.of()))));
        FakeSession session = new FakeSession(URI.create("/ws/terminal?ticket=" + ticket), h.attributes);

        socket.afterConnectionEstablished(session);

        assertThat(session.closed.getCode()).isEqualTo(CloseStatus.POLICY_VIOLATION.getCode());
        assertThat(session.closed.getReason()).isEqualTo("replicaset 'foo' is stopped; a terminal opens only in a running container");
        verify(engine, never()).openShell(anyString(), anyList(), anyInt(), anyInt(), any());
    }

    @Test
    void aShellDockerCannotStartClosesTheSocketAsAServerErrorWithAReasonThatFitsAFrame() throws Exception {
        when(engine.openShell(anyString(), anyList(), anyInt(), anyInt(), any())).thenThrow(new IllegalStateException("exec failed: " + "x".repeat(300)));

        FakeSession session = connect("");

        assertThat(session.closed.getCode()).isEqualTo(CloseStatus.SERVER_ERROR.getCode());
        assertThat(session.closed.getReason()).startsWith("the terminal could not start: exec failed: xxx").endsWith("...").hasSize(120);
        assertThat(session.closed.getReason().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
        assertThat(session.attributes).doesNotContainValue(shell);
    }

    // --- a terminal on another node

    @Test
    void anotherNodesTerminalIsRelayedBothWaysAndNoLocalShellOpens() throws Exception {
        String ticket = SEALED;
        Handshake h = handshake("/ws/terminal?ticket=" + ticket + "&cols=100&rows=30");
        URI uri = URI.create("/ws/terminal?ticket=" + ticket + "&cols=100&rows=30");
        FakeSession session = new FakeSession(uri, h.attributes);

        socket.afterConnectionEstablished(session);
        TextMessage typed = new TextMessage("{\"type\":\"input\",\"data\":\"ls\"}");
        socket.handleMessage(session, typed);
        socket.afterConnectionClosed(session, CloseStatus.NORMAL);

        verify(relay).open(session, "gpu2", uri);
        verify(relay).toNode(session, typed);
        verify(relay).closed(session);
        verify(engine, never()).openShell(anyString(), anyList(), anyInt(), anyInt(), any());
        assertThat(session.closed).as("the relay closes it when the other node's does").isNull();
    }

    @Test
    void aTicketIssuedHereOpensALocalShellEvenWithARelay() throws Exception {
        connect("");

        verify(engine).openShell(eq("foo-2"), anyList(), anyInt(), anyInt(), any());
        verifyNoInteractions(relay);
    }

    // --- helpers

    private FakeSession connect(TerminalSocket on, TerminalTickets from) throws Exception {
        return establish(on, from, from.issue("foo", ALICE).ticket());
    }

    private FakeSession establish(TerminalSocket on, TerminalTickets from, String ticket) throws Exception {
        String path = "/ws/terminal?ticket=" + ticket;
        Map<String, Object> attributes = new HashMap<>();
        assertThat(on.beforeHandshake(new ServletServerHttpRequest(request(path)), new ServletServerHttpResponse(new MockHttpServletResponse()),
                on, attributes)).isTrue();
        FakeSession session = new FakeSession(URI.create(path), attributes);
        on.afterConnectionEstablished(session);
        return session;
    }

    /** Issues a ticket for foo, shakes hands with it and establishes the socket, as Spring would. */
    private FakeSession connect(String query) throws Exception {
        String ticket = tickets.issue("foo", ALICE).ticket();
        String path = "/ws/terminal?ticket=" + ticket + (query.isEmpty() ? "" : "&" + query);
        Handshake h = handshake(path);
        assertThat(h.accepted).isTrue();
        FakeSession session = new FakeSession(URI.create(path), h.attributes);
        socket.afterConnectionEstablished(session);
        return session;
    }

    private Handshake handshake(String path) {
        MockHttpServletResponse servlet = new MockHttpServletResponse();
        Map<String, Object> attributes = new HashMap<>();
        ServletServerHttpResponse response = new ServletServerHttpResponse(servlet);
        boolean accepted = socket.beforeHandshake(new ServletServerHttpRequest(request(path)), response, socket, attributes);
        socket.afterHandshake(new ServletServerHttpRequest(request(path)), response, socket, null);
        return new Handshake(accepted, servlet, attributes);
    }

    private record Handshake(boolean accepted, MockHttpServletResponse servlet, Map<String, Object> attributes) {}

    private static MockHttpServletRequest request(String path) {
        URI uri = URI.create(path);
        MockHttpServletRequest request = new MockHttpServletRequest("GET", uri.getPath());
        request.setQueryString(uri.getRawQuery());
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                request.addParameter(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return request;
    }

    private static MockHttpServletResponse serve(ServletWebSocketHandlerRegistry registry, MockHttpServletRequest request) throws Exception {
        Object handler = ((SimpleUrlHandlerMapping) registry.getHandlerMapping()).getUrlMap().get(request.getRequestURI());
        assertThat(handler).as("a handler for " + request.getRequestURI()).isInstanceOf(HttpRequestHandler.class);
        MockHttpServletResponse response = new MockHttpServletResponse();
        ((HttpRequestHandler) handler).handleRequest(request, response);
        return response;
    }

    private static byte[] bytes(WebSocketMessage<?> message) {
        java.nio.ByteBuffer payload = ((BinaryMessage) message).getPayload().duplicate();
        byte[] b = new byte[payload.remaining()];
        payload.get(b);
        return b;
    }

    /** The shell Docker would give: records what it is sent and asked. */
    private static final class FakeShell implements Shell {
        final List<String> sent = new ArrayList<>();
        final List<String> sizes = new ArrayList<>();
        int closeCount;
        boolean closed;

        @Override
        public void send(byte[] input) { sent.add(new String(input, StandardCharsets.UTF_8)); }

        @Override
        public void resize(int columns, int rows) { sizes.add(columns + "x" + rows); }

        @Override
        public void close() {
            closeCount++;
            closed = true;
        }
    }

    /** The browser's socket as the handler sees it: its URI and handshake attributes, what was sent, how it was closed. */
    private static final class FakeSession implements WebSocketSession {
        final URI uri;
        final Map<String, Object> attributes;
        final List<WebSocketMessage<?>> sent = new ArrayList<>();
        CloseStatus closed;
        boolean failSends;

        FakeSession(URI uri) {
            this(uri, new HashMap<>());
        }

        FakeSession(URI uri, Map<String, Object> attributes) {
            this.uri = uri;
            this.attributes = attributes;
        }

        @Override
        public String getId() { return "s" + System.identityHashCode(this); }

        @Override
        public URI getUri() { return uri; }

        @Override
        public HttpHeaders getHandshakeHeaders() { return new HttpHeaders(); }

        @Override
        public Map<String, Object> getAttributes() { return attributes; }

        @Override
        public Principal getPrincipal() { return null; }

        @Override
        public InetSocketAddress getLocalAddress() { return null; }

        @Override
        public InetSocketAddress getRemoteAddress() { return null; }

        @Override
        public String getAcceptedProtocol() { return null; }

        @Override
        public void setTextMessageSizeLimit(int messageSizeLimit) { }

        @Override
        public int getTextMessageSizeLimit() { return 1 << 16; }

        @Override
        public void setBinaryMessageSizeLimit(int messageSizeLimit) { }

        @Override
        public int getBinaryMessageSizeLimit() { return 1 << 16; }

        @Override
        public List<WebSocketExtension> getExtensions() { return List.of(); }

        @Override
        public void sendMessage(WebSocketMessage<?> message) throws IOException {
            if (failSends) {
                throw new IOException("the browser left");
            }
            sent.add(message);
        }

        @Override
        public boolean isOpen() { return closed == null; }

        @Override
        public void close() { close(CloseStatus.NORMAL); }

        @Override
        public void close(CloseStatus status) { closed = status; }
    }
}
