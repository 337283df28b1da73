package io.gpudocker.node;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.BearerCallers;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.Owned;
import io.gpudocker.api.RunsOn.Where;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.security.web.header.writers.HstsHeaderWriter;

/**
 * A read of an instance or volume that another node holds, sent there before the rest of this node's request pipeline
 * runs: that node authorises, reads and answers it, so the security chain, the handler lookup and the answer's digest
 * here would only repeat its work on the path of the call. This step takes only the plain case: a GET without a body
 * or an Origin, a bearer token that names a caller, an owner route ({@link RouteResolver}) whose record the caller may
 * see on another node that is up, and an answer that is not that node's refusal as not its own. Anything else, a
 * failure included, goes on through the pipeline as if this step were not there ({@link OwnerRouting} forwards what
 * it must, and answers every refusal).
 */
final class ReadShortcut implements Filter {
    private static final String BEARER = "Bearer ";
    /** The same bound {@link OwnerRouting} puts on the view of which nodes are up. */
    private static final Duration LIVENESS_MAX_AGE = Duration.ofSeconds(1);
    /**
     * The owner ran the security chain (and CORS) over its answer; those of its headers are relayed, since this node's
     * chain does not run for the call. HSTS is this node's own ({@link #HSTS}).
     */
    static final List<String> RELAYED = List.of("Cache-Control", "Pragma", "Expires", "X-Content-Type-Options", "X-Frame-Options",
            "X-XSS-Protection", "Content-Security-Policy", "Referrer-Policy", "Vary");
    /** The security chain's default HSTS, which it writes on a call that arrived over TLS. */
    private static final HstsHeaderWriter HSTS = new HstsHeaderWriter();

    private final BearerCallers callers;
    private final RouteResolver routes;
    private final OwnedRecords records;
    private final NodeDirectory directory;
    private final Forwarder forwarder;

    ReadShortcut(BearerCallers callers, RouteResolver routes, OwnedRecords records, NodeDirectory directory, Forwarder forwarder) {
        this.callers = callers;
        this.routes = routes;
        this.records = records;
        this.directory = directory;
        this.forwarder = forwarder;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        Optional<Forwarder.Answer> sent;
        try {
            sent = plainRead(request).flatMap(this::send);
        } catch (RuntimeException failed) {
            sent = Optional.empty(); // etcd, say: nothing is written yet, and the pipeline answers the failure as it does
        }
        if (sent.isEmpty()) {
            chain.doFilter(req, res);
            return;
        }
        HttpServletResponse response = (HttpServletResponse) res;
        try (Forwarder.Answer answer = sent.get()) {
            HSTS.writeHeaders(request, response); // from how the client reached this node, not how this node reached the owner
            Forwarder.relay(answer, response, RELAYED);
        }
    }

    /** A read this step takes: who asks, and the node that holds what is asked about. */
    record Read(HttpServletRequest request, RouteResolver.Route route, Caller caller, NodeStatus owner) {}

    /**
     * The route first (it reads nothing), then the token, then the owner: whether a name is held elsewhere is looked up
     * only for a caller the token names.
     */
    Optional<Read> plainRead(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod()) || request.getHeader(InterNodeCredential.SIGNATURE) != null || request.getHeader("Origin") != null
                || request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null || request.getHeader("Content-Type") != null
                || !plainPath(request.getRequestURI()) || !printable(request.getQueryString()) || !printable(request.getHeader(Forwarder.IF_NONE_MATCH))) {
            return Optional.empty();
        }
        RouteResolver.Route route = routes.resolve(request);
        if (route.where() != Where.REPLICASET_OWNER && route.where() != Where.VOLUME_OWNER) {
            return Optional.empty();
        }
        Optional<Caller> caller = caller(request);
        if (caller.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> node = records.find(route.where(), route.name()).filter(r -> caller.get().maySee(r.tenant())).map(Owned::node)
                .filter(n -> !n.equals(directory.self()));
        return node.flatMap(n -> directory.recentlyLive(n, LIVENESS_MAX_AGE)).map(owner -> new Read(request, route, caller.get(), owner));
    }

    /** Null, or visible ASCII and spaces only: what the firewall would refuse in a header goes through it. */
    static boolean printable(String value) {
        if (value == null) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * A path of plain segments only: anything the security chain's firewall would look at twice (an encoded character,
     * a path parameter, a dot segment, an empty segment) goes through it.
     */
    static boolean plainPath(String uri) {
        if (uri.contains("//") || uri.contains("/.")) {
            return false;
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '_' || c == '.';
            if (!plain) {
                return false;
            }
        }
        return true;
    }

    /** Whom the bearer token names, left on the request for the security chain should the call go on through it. */
    private Optional<Caller> caller(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        String token = authorization.substring(BEARER.length()).trim();
        if (token.isEmpty()) {
            return Optional.empty();
        }
        Optional<Caller> caller;
        try {
            caller = callers.authenticate(token);
        } catch (ApiException unavailable) {
            return Optional.empty(); // the security chain asks again and answers it
        }
        request.setAttribute(BearerCallers.CHECKED, new BearerCallers.Checked(token, caller));
        return caller;
    }

    /** The owner's answer; empty when it could not be had or is its refusal as not its own (the pipeline then sends it again). */
    private Optional<Forwarder.Answer> send(Read read) {
        HttpServletRequest request = read.request();
        String query = request.getQueryString();
        Forwarder.Answer answer;
        try {
            answer = forwarder.send(read.owner().name(), read.owner().advertise(), "GET", request.getRequestURI() + (query == null ? "" : "?" + query),
                    null, new byte[0], read.caller(), request.getHeader(Forwarder.IF_NONE_MATCH), null);
        } catch (IOException unreachable) {
            return Optional.empty();
        }
        if (answer.status() != ErrorCode.NOT_THIS_NODE.status().value()) {
            return Optional.of(answer);
        }
        try (answer) {
            byte[] refusal = answer.body().readAllBytes();
            if (CreatePlacement.codeOf(refusal) != ErrorCode.NOT_THIS_NODE.code()) {
                return Optional.of(answer.withBody(refusal));
            }
        } catch (IOException broken) {
            return Optional.empty();
        }
        records.refresh(read.route().where(), read.route().name()); // so the pipeline sends it where etcd says now
        return Optional.empty();
    }
}
