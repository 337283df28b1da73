package io.gpudocker.replicaset.terminal;

import io.gpudocker.api.ApiException;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.Shell;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import io.gpudocker.replicaset.SessionSlots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The terminal's WebSocket: {@code /ws/terminal?ticket=...&cols=...&rows=...}. The handshake spends a ticket
 * from {@link TerminalTickets} (no ticket, no connection: 401). Then the browser sends text frames
 * {@code {"type":"input","data":"..."}} and {@code {"type":"resize","cols":C,"rows":R}}, and receives the
 * terminal's output as binary frames; the socket closes when the shell ends, and the shell ends when the socket closes.
 */
public class TerminalSocket extends AbstractWebSocketHandler implements HandshakeInterceptor {
    private static final Logger log = LoggerFactory.getLogger(TerminalSocket.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String GRANT = "terminal.grant";
    private static final String SHELL = "terminal.shell";
    private static final String RELAYED_TO = "terminal.relayedTo";
    private static final String SLOT = "terminal.slot";
    private static final String LAST_ACTIVE = "terminal.lastActive";
    /** bash where the image has it, else sh: a login shell either way. */
    static final List<String> SHELL_COMMAND = List.of("/bin/sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi");

    private final TerminalTickets tickets;
    private final ContainerEngine engine;
    private final TerminalRelay relay;
    private final SessionSlots slots;
    private final Duration idleTimeout;
    private final Clock clock;
    private final Map<String, WebSocketSession> shells = new ConcurrentHashMap<>();

    /** @param relay joins sockets whose ticket another node issued to that node; null: such tickets are refused */
    public TerminalSocket(TerminalTickets tickets, ContainerEngine engine, TerminalRelay relay) {
        this(tickets, engine, relay, new SessionSlots("terminal(s)", "gda.sessions.terminals-per-tenant", Integer.MAX_VALUE, Integer.MAX_VALUE),
                Duration.ofDays(3650), Clock.systemUTC());
    }

    /**
     * @param slots       each open shell holds one of its caller's, taken at the handshake
     * @param idleTimeout a shell that carried nothing either way for this long is closed, so a forgotten tab gives its slot back
     */
    public TerminalSocket(TerminalTickets tickets, ContainerEngine engine, TerminalRelay relay, SessionSlots slots, Duration idleTimeout, Clock clock) {
        this.slots = slots;
        this.idleTimeout = idleTimeout;
        this.clock = clock;
        this.tickets = tickets;
        this.engine = engine;
        this.relay = relay;
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Map<String, Object> attributes) {
        String ticket = query(request.getURI()).get("ticket");
        if (relay != null && !tickets.issuedHere(ticket)) {
            if (!relay.sealed(ticket)) {
                response.setStatusCode(HttpStatus.UNAUTHORIZED);
                return false;
            }
            // the issuing node spends the ticket when the relay opens the socket there
            attributes.put(RELAYED_TO, TerminalTickets.nodeOf(ticket));
            return true;
        }
        var grant = tickets.redeem(ticket);
        if (grant.isEmpty()) {
            response.setStatusCode(HttpStatus.UNAUTHORIZED);
            return false;
        }
        attributes.put(GRANT, grant.get());
        return true;
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception failure) {
        // nothing to add: the session starts in afterConnectionEstablished
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession raw) throws IOException {
        if (raw.getAttributes().get(RELAYED_TO) instanceof String node) {
            relay.open(raw, node, raw.getUri());
            return;
        }
        WebSocketSession session = new ConcurrentWebSocketSessionDecorator(raw, 5000, 1 << 20);
        TerminalTickets.Grant grant = (TerminalTickets.Grant) raw.getAttributes().get(GRANT);
        Map<String, String> q = query(raw.getUri());
        try {
            // taken once the socket exists, so every way it ends gives the slot back (afterConnectionClosed)
            raw.getAttributes().put(SLOT, slots.acquire(grant.caller()));
            String container = tickets.runningContainer(grant.replicaSet(), grant.caller());
            Shell shell = engine.openShell(container, SHELL_COMMAND, dimension(q.get("cols"), 80), dimension(q.get("rows"), 24), new Shell.Output() {
                @Override
                public void write(byte[] bytes) {
                    touch(raw);
                    try {
                        session.sendMessage(new BinaryMessage(bytes));
                    } catch (IOException | RuntimeException browserLeft) {
                        log.debug("terminal output to a closed socket: {}", browserLeft.toString());
                    }
                }

                @Override
                public void ended() {
                    closeQuietly(session, CloseStatus.NORMAL.withReason("the shell ended"));
                }
            });
            raw.getAttributes().put(SHELL, shell);
            touch(raw);
            shells.put(raw.getId(), raw);
            log.info("replicaset {}: terminal opened in {} by {}", grant.replicaSet(), container, grant.caller().name());
        } catch (ApiException e) {
            closeQuietly(session, CloseStatus.POLICY_VIOLATION.withReason(truncate(e.getMessage())));
        } catch (RuntimeException e) {
            log.warn("replicaset {}: terminal could not start: {}", grant.replicaSet(), e.getMessage());
            closeQuietly(session, CloseStatus.SERVER_ERROR.withReason(truncate("the terminal could not start: " + e.getMessage())));
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        if (session.getAttributes().containsKey(RELAYED_TO)) {
            relay.toNode(session, message);
            return;
        }
        Shell shell = (Shell) session.getAttributes().get(SHELL);
        if (shell == null) {
            return;
        }
        JsonNode m;
        try {
            m = JSON.readTree(message.getPayload());
        } catch (RuntimeException e) {
            return; // not ours to interpret: a well-behaved client never sends it
        }
        touch(session);
        switch (m.path("type").asString("")) {
            case "input" -> shell.send(m.path("data").asString("").getBytes(StandardCharsets.UTF_8));
            case "resize" -> shell.resize(dimension(m.path("cols").asString(""), 80), dimension(m.path("rows").asString(""), 24));
            default -> { }
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        if (session.getAttributes().containsKey(RELAYED_TO)) {
            relay.closed(session);
            return;
        }
        shells.remove(session.getId());
        if (session.getAttributes().remove(SLOT) instanceof SessionSlots.Slot slot) {
            slot.close();
        }
        Object shell = session.getAttributes().remove(SHELL);
        if (shell instanceof Shell s) {
            s.close();
            TerminalTickets.Grant grant = (TerminalTickets.Grant) session.getAttributes().get(GRANT);
            log.info("replicaset {}: terminal of {} closed", grant.replicaSet(), grant.caller().name());
        }
    }

    /** Closes the shells that carried nothing either way for the idle timeout; run periodically. */
    public void closeIdle() {
        long now = clock.millis();
        for (WebSocketSession session : shells.values()) {
            if (session.getAttributes().get(LAST_ACTIVE) instanceof AtomicLong last && now - last.get() >= idleTimeout.toMillis()) {
                log.info("terminal {} closed after {} idle", session.getId(), idleTimeout);
                closeQuietly(session, CloseStatus.NORMAL.withReason("closed after " + idleTimeout.toMinutes() + " min without input or output"));
            }
        }
    }

    /** How often {@link #closeIdle} should run: often enough that a terminal outlives its timeout by little. */
    public Duration idleCheckPeriod() {
        Duration half = idleTimeout.dividedBy(2);
        return half.compareTo(Duration.ofSeconds(30)) < 0 ? (half.isZero() ? Duration.ofMillis(1) : half) : Duration.ofSeconds(30);
    }

    private void touch(WebSocketSession session) {
        ((AtomicLong) session.getAttributes().computeIfAbsent(LAST_ACTIVE, k -> new AtomicLong())).set(clock.millis());
    }

    private static int dimension(String text, int fallback) {
        try {
            int n = Integer.parseInt(text);
            return n >= 2 && n <= 1000 ? n : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static Map<String, String> query(URI uri) {
        return uri == null ? Map.of() : UriComponentsBuilder.fromUri(uri).build().getQueryParams().toSingleValueMap();
    }

    /** A close reason must fit in a control frame (123 bytes). */
    private static String truncate(String reason) {
        return reason.length() <= 120 ? reason : reason.substring(0, 117) + "...";
    }

    private static void closeQuietly(WebSocketSession session, CloseStatus status) {
        try {
            session.close(status);
        } catch (IOException | RuntimeException e) {
            log.debug("closing a terminal socket: {}", e.toString());
        }
    }
}
