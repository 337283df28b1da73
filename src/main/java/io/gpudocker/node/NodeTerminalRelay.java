package io.gpudocker.node;

import io.gpudocker.replicaset.terminal.TerminalRelay;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.Semaphore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * Joins a browser's terminal socket here to the same terminal on the node that runs the instance. Only a ticket
 * sealed with the cluster's secret is relayed, and at most {@code maxRelays} at once: each holds a socket to
 * another node.
 */
public class NodeTerminalRelay implements TerminalRelay {
    private static final Logger log = LoggerFactory.getLogger(NodeTerminalRelay.class);
    private static final String PURPOSE = "terminal-ticket";
    private static final String SEAL_SEPARATOR = ".";
    private final NodeDirectory directory;
    private final InterNodeCredential credential;
    private final Semaphore relays;
    private final int maxRelays;
    private final StandardWebSocketClient client = new StandardWebSocketClient();
    private final Map<String, WebSocketSession> remotes = new ConcurrentHashMap<>();

    public NodeTerminalRelay(NodeDirectory directory, SSLContext tls, InterNodeCredential credential, int maxRelays) {
        this.credential = credential;
        this.maxRelays = maxRelays;
        this.relays = new Semaphore(maxRelays);
        this.directory = directory;
        if (tls != null) {
            client.getUserProperties().put("org.apache.tomcat.websocket.SSL_CONTEXT", tls);
        }
    }

    @Override
    public String seal(String ticket) {
        return ticket + SEAL_SEPARATOR + credential.tag(PURPOSE, ticket);
    }

    @Override
    public boolean sealed(String ticket) {
        int at = ticket == null ? -1 : ticket.lastIndexOf(SEAL_SEPARATOR);
        if (at <= 0) {
            return false;
        }
        byte[] expected = credential.tag(PURPOSE, ticket.substring(0, at)).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, ticket.substring(at + 1).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void open(WebSocketSession raw, String node, URI uri) {
        WebSocketSession browser = new ConcurrentWebSocketSessionDecorator(raw, 5000, 1 << 20);
        if (!relays.tryAcquire()) {
            close(browser, CloseStatus.SERVICE_OVERLOAD.withReason(maxRelays + " terminals are relayed, the most allowed (gda.sessions.max-relays)"));
            return;
        }
        NodeStatus target = directory.live(node).orElse(null);
        if (target == null) {
            relays.release();
            close(browser, CloseStatus.SERVICE_RESTARTED.withReason("node '" + node + "' is down; the terminal opens once it is back"));
            return;
        }
        String url = target.advertise().replaceFirst("^http", "ws") + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        try {
            WebSocketSession remote = client.execute(new AbstractWebSocketHandler() {
                @Override
                protected void handleTextMessage(WebSocketSession s, org.springframework.web.socket.TextMessage m) throws IOException {
                    browser.sendMessage(m);
                }

                @Override
                protected void handleBinaryMessage(WebSocketSession s, org.springframework.web.socket.BinaryMessage m) throws IOException {
                    browser.sendMessage(m);
                }

                @Override
                public void afterConnectionClosed(WebSocketSession s, CloseStatus status) {
                    // codes that only report a close (no frame, abnormal, TLS) may not be sent on in a close frame
                    int code = status.getCode();
                    close(browser, code == 1005 || code == 1006 || code == 1015 ? CloseStatus.NORMAL : status);
                }
            }, url).get(5, TimeUnit.SECONDS);
            remotes.put(raw.getId(), remote);
            if (!raw.isOpen()) {
                closed(raw);
            }
        } catch (Exception e) {
            relays.release();
            log.info("terminal relay to node {} failed: {}", node, e.getMessage());
            close(browser, CloseStatus.POLICY_VIOLATION.withReason("node '" + node + "' refused the terminal (ticket spent or expired?)"));
        }
    }

    @Override
    public void toNode(WebSocketSession browser, WebSocketMessage<?> message) {
        WebSocketSession remote = remotes.get(browser.getId());
        if (remote != null) {
            try {
                synchronized (remote) {
                    remote.sendMessage(message);
                }
            } catch (IOException e) {
                close(browser, CloseStatus.SERVER_ERROR.withReason("the other node's terminal went away"));
            }
        }
    }

    @Override
    public void closed(WebSocketSession browser) {
        WebSocketSession remote = remotes.remove(browser.getId());
        if (remote != null) {
            relays.release();
            close(remote, CloseStatus.NORMAL);
        }
    }

    private static void close(WebSocketSession session, CloseStatus status) {
        try {
            session.close(status);
        } catch (IOException | RuntimeException e) {
            log.debug("closing a relayed terminal socket: {}", e.toString());
        }
    }
}
