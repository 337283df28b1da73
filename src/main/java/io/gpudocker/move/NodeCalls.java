package io.gpudocker.move;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.node.Forwarder;
import io.gpudocker.node.NodeDirectory;
import io.gpudocker.node.NodeStatus;
import io.gpudocker.store.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import tools.jackson.databind.JsonNode;

/**
 * The calls one node of a move makes to the other, signed with the cluster secret as forwarded calls are
 * ({@link Forwarder}); an answer that is not a success comes back as the same error the other node answered.
 */
class NodeCalls {
    static final String BASE = "/api/v1/internal/moves/";

    private final NodeDirectory directory;
    private final Forwarder forwarder;

    NodeCalls(NodeDirectory directory, Forwarder forwarder) {
        this.directory = directory;
        this.forwarder = forwarder;
    }

    record Envelope(int code, String msg, JsonNode data, String field) {}

    /** POSTs {@code body} to {@code path} (under {@link #BASE}) on {@code node} as {@code caller}; the answer's data as {@code type}. */
    <T> T post(String node, String path, Object body, Caller caller, Class<T> type) {
        return postTo(node, BASE + path, body, caller, type);
    }

    /** As {@link #post}, to any path of the API. */
    <T> T postTo(String node, String fullPath, Object body, Caller caller, Class<T> type) {
        String path = fullPath;
        NodeStatus target = live(node);
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        try (Forwarder.Answer answer = forwarder.send(node, target.advertise(), "POST", fullPath, "application/json", bytes, caller)) {
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

    /** GETs a stream from {@code node}; the caller reads and closes it. */
    InputStream stream(String node, String pathAndQuery, Caller caller) throws IOException {
        NodeStatus target = live(node);
        Forwarder.Answer answer = forwarder.send(node, target.advertise(), "GET", BASE + pathAndQuery, null, new byte[0], caller);
        if (answer.status() != 200) {
            String text;
            try (answer) {
                text = new String(answer.body().readAllBytes(), StandardCharsets.UTF_8);
            }
            throw new IOException("node '" + node + "' answered " + answer.status() + " to " + pathAndQuery + ": " + abbreviate(text));
        }
        return answer.body();
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
