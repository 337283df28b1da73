package io.gpudocker.node;

import io.gpudocker.replicaset.terminal.TerminalRelay;
import java.io.IOException;
import java.net.URI;
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

/** Joins a browser's terminal socket here to the same terminal on the node that runs the instance. */
public class NodeTerminalRelay implements TerminalRelay {
    private static final Logger log = LoggerFactory.getLogger(NodeTerminalRelay.class);
    private final NodeDirectory directory;
    private final StandardWebSocketClient client = new StandardWebSocketClient();
    private final Map<String, WebSocketSession> remotes = new ConcurrentHashMap<>();

    public NodeTerminalRelay(NodeDirectory directory, SSLContext tls) {
        this.directory = directory;
        if (tls != null) {
            client.getUserProperties().put("org.apache.tomcat.websocket.SSL_CONTEXT", tls);
        }
    }

    @Override
    public void open(WebSocketSession raw, String node, URI uri) {
        WebSocketSession browser = new ConcurrentWebSocketSessionDecorator(raw, 5000, 1 << 20);
        NodeStatus target = directory.live(node).orElse(null);
        if (target == null) {
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
