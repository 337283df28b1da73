package io.gpudocker.node;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URISyntaxException;

/** Sends a call that arrived here on to another node, as its caller, and relays that node's answer. */
class CallForwarding {
    private final NodeDirectory directory;
    private final Forwarder forwarder;

    CallForwarding(NodeDirectory directory, Forwarder forwarder) {
        this.directory = directory;
        this.forwarder = forwarder;
    }

    String self() {
        return directory.self();
    }

    /** Relays the answer of {@code target}; a node that cannot be reached is a 503 naming {@code kind} and {@code name}. */
    void relay(NodeStatus target, CachedBodyRequest request, HttpServletResponse response, Caller caller, String kind, String name) throws IOException {
        try (Forwarder.Answer answer = send(target, request, caller, kind, name)) {
            Forwarder.relay(answer, response);
        }
    }

    /** Runs the call on the member {@code node}: here when that is this node, refused when no member has the name or it is down. */
    void toNamedNode(CachedBodyRequest request, HttpServletResponse response, FilterChain chain, Caller caller, String node, String kind,
                     String name) throws ServletException, IOException {
        if (node.equals(directory.self())) {
            chain.doFilter(request, response);
            return;
        }
        if (directory.member(node).isEmpty()) {
            throw NodeMembers.unknown(node);
        }
        NodeStatus target = directory.live(node).orElseThrow(() -> NodeUnavailable.of(kind, name, node, "down"));
        relay(target, request, response, caller, kind, name);
    }

    Forwarder.Answer send(NodeStatus target, CachedBodyRequest request, Caller caller, String kind, String name) {
        String query = request.getQueryString();
        String pathAndQuery = request.getRequestURI() + (query == null ? "" : "?" + query);
        try {
            return forwarder.send(target.name(), target.advertise(), request.getMethod(), pathAndQuery, request.getContentType(), request.body(), caller,
                    request.getHeader(Forwarder.IF_NONE_MATCH), null);
        } catch (IOException e) {
            throw NodeUnavailable.of(kind, name, target.name(), Forwarder.unreachable(target.advertise(), e));
        } catch (IllegalArgumentException e) {
            if (!(e.getCause() instanceof URISyntaxException)) {
                throw e;
            }
            // a malformed escape in the query, which this node's handlers never parse: the other node would refuse it too
            throw ApiException.of(ErrorCode.INVALID_PARAMS, "the call's path or query is not a valid URI (a malformed %%-escape?)");
        }
    }
}
