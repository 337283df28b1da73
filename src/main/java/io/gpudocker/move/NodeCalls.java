package io.gpudocker.move;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.node.Forwarder;
import io.gpudocker.node.InterNodeCredential;
import io.gpudocker.node.NodeDirectory;
import io.gpudocker.node.NodeStatus;
import io.gpudocker.store.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import tools.jackson.databind.JsonNode;

/**
 * The calls one node of a move makes to the other, signed with the cluster secret as forwarded calls are
 * ({@link Forwarder}); an answer that is not a success comes back as the same error the other node answered.
 *
 * <p>The files of a move come through {@link #stream}, not through the forwarder's client: that one hands each 16 KiB
 * it reads from its selector thread to the reading thread, and on a busy host every hand-off waits for a time slice,
 * which a 2 GiB copy pays 130,000 times. Here the reading thread reads the socket itself.
 */
class NodeCalls {
    static final String BASE = "/api/v1/internal/moves/";
    /** A source that sends nothing for this long while a copy runs is taken for gone. */
    static final int STREAM_READ_TIMEOUT_MS = 60_000;
    private static final int CONNECT_TIMEOUT_MS = 2_000;

    private final NodeDirectory directory;
    private final Forwarder forwarder;
    private final InterNodeCredential credential;
    private final String self;
    private final SSLContext tls;

    NodeCalls(NodeDirectory directory, Forwarder forwarder, InterNodeCredential credential, String self, SSLContext tls) {
        this.directory = directory;
        this.forwarder = forwarder;
        this.credential = credential;
        this.self = self;
        this.tls = tls;
    }

    record Envelope(int code, String msg, JsonNode data, String field) {}

    /** POSTs {@code body} to {@code path} (under {@link #BASE}) on {@code node} as {@code caller}; the answer's data as {@code type}. */
    <T> T post(String node, String path, Object body, Caller caller, Class<T> type) {
        return postTo(node, BASE + path, body, caller, type);
    }

    /** As {@link #post}, to any path of the API. */
    <T> T postTo(String node, String fullPath, Object body, Caller caller, Class<T> type) {
        return postTo(node, fullPath, body, caller, type, null);
    }

    /** As {@link #post}, given up (NODE_DOWN) when {@code node}'s answer has not begun within {@code answerWithin}. */
    <T> T postWithin(String node, String path, Object body, Caller caller, Class<T> type, Duration answerWithin) {
        return postTo(node, BASE + path, body, caller, type, answerWithin);
    }

    private <T> T postTo(String node, String fullPath, Object body, Caller caller, Class<T> type, Duration answerWithin) {
        String path = fullPath;
        NodeStatus target = live(node);
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        try (Forwarder.Answer answer = forwarder.send(node, target.advertise(), "POST", fullPath, "application/json", bytes, caller, null, answerWithin)) {
            String text = new String(answer.body().readAllBytes(), StandardCharsets.UTF_8);
            Envelope e;
            try {
                e = Json.read(text, Envelope.class);
            } catch (RuntimeException notJson) {
                throw ApiException.of(ErrorCode.MOVE_FAILED, "node '%s' answered %d to %s with no envelope: %s", node, answer.status(), path, abbreviate(text));
            }
            if (e.code() != 200) {
                throw new ApiException(codeOf(e.code()), "node '" + node + "': " + e.msg());
            }
            return type == Void.class || e.data() == null || e.data().isNull() ? null : Json.read(e.data().toString(), type);
        } catch (IOException e) {
            throw ApiException.of(ErrorCode.NODE_DOWN, "node '%s' %s during a move (%s)", node, Forwarder.unreachable(target.advertise(), e), path);
        }
    }

    /** GETs a stream from {@code node}, signed as the forwarder signs; the caller reads and closes it. */
    InputStream stream(String node, String pathAndQuery, Caller caller) throws IOException {
        NodeStatus target = live(node);
        String path = BASE + pathAndQuery;
        HttpURLConnection c = (HttpURLConnection) URI.create(target.advertise() + path).toURL().openConnection();
        if (c instanceof HttpsURLConnection https && tls != null) {
            https.setSSLSocketFactory(tls.getSocketFactory());
        }
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(STREAM_READ_TIMEOUT_MS);
        c.setRequestMethod("GET");
        credential.sign("GET", path, caller, self, node, new byte[0]).forEach(c::setRequestProperty);
        int status = c.getResponseCode();
        if (status != 200) {
            InputStream err = c.getErrorStream();
            String text = "";
            if (err != null) {
                try (err) {
                    text = new String(err.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            c.disconnect();
            throw new IOException("node '" + node + "' answered " + status + " to " + pathAndQuery + ": " + abbreviate(text));
        }
        return c.getInputStream();
    }

    /** When {@code node}'s running process started, if it is live: a different answer later means it restarted. */
    java.util.Optional<java.time.Instant> incarnation(String node) {
        return directory.live(node).map(NodeStatus::startedAt);
    }

    private NodeStatus live(String node) {
        return directory.live(node).orElseThrow(() -> ApiException.of(ErrorCode.NODE_DOWN, "node '%s' is down; the move cannot go on", node));
    }

    private static ErrorCode codeOf(int code) {
        return Arrays.stream(ErrorCode.values()).filter(c -> c.code() == code).findFirst().orElse(ErrorCode.MOVE_FAILED);
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
