package io.gpudocker.node;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.EnvelopeWriter;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.Owned;
import io.gpudocker.api.RunsOn;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Any node answers any call: after authentication, each call runs where its handler says ({@link RunsOn}). A call on an
 * instance or volume another node holds is sent on to that node, a create is placed ({@link CreatePlacement}) and the
 * resource views are gathered from every up node ({@link ResourceGathering}). Lists and histories are read from etcd
 * where the call arrives. A call that arrived forwarded always runs here.
 */
public class OwnerRouting extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(OwnerRouting.class);

    /** How old the view of which nodes are up may be when a call is sent on (a lease is seconds long in any case). */
    private static final Duration LIVENESS_MAX_AGE = Duration.ofSeconds(1);

    private final RouteResolver routes;
    private final NodeDirectory directory;
    private final OwnedRecords records;
    private final CallForwarding forwarding;
    private final CreatePlacement creates;
    private final ResourceGathering resources;

    OwnerRouting(RouteResolver routes, NodeDirectory directory, OwnedRecords records, CallForwarding forwarding, CreatePlacement creates,
                 ResourceGathering resources) {
        this.routes = routes;
        this.directory = directory;
        this.records = records;
        this.forwarding = forwarding;
        this.creates = creates;
        this.resources = resources;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getAttribute(InterNodeCredential.FORWARDED_BY) != null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws ServletException, IOException {
        Optional<Caller> caller = caller();
        if (caller.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        try {
            route(request, response, chain, caller.get());
        } catch (ApiException e) {
            EnvelopeWriter.error(response, e.code(), e.getMessage());
            log.info("{} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        }
    }

    private void route(HttpServletRequest request, HttpServletResponse response, FilterChain chain, Caller caller) throws ServletException, IOException {
        RouteResolver.Route route = routes.resolve(request);
        switch (route.where()) {
            case PLACED_REPLICASET -> creates.replicaSet(CachedBodyRequest.of(request), response, chain, caller);
            case VOLUME_NODE_IN_BODY -> creates.volume(CachedBodyRequest.of(request), response, chain, caller);
            case REPLICASET_OWNER, VOLUME_OWNER -> toOwner(request, response, chain, caller, route);
            case IMAGES_NODE_IN_QUERY -> {
                String node = request.getParameter("node");
                if (node == null) {
                    chain.doFilter(request, response);
                } else {
                    forwarding.toNamedNode(CachedBodyRequest.of(request), response, chain, caller, node, "image list", "");
                }
            }
            case EVERY_NODE -> resources.gather(route.name(), request, response, chain, caller);
            case HERE -> chain.doFilter(request, response);
        }
    }

    /**
     * Runs here when this node holds it (or nothing of the caller's does: the answer is then this node's 404); otherwise
     * on its node. Which node that is comes from the owner view; the node it names reads the record itself, and a
     * refusal as not its own (the view was behind) sends the call once more, where etcd says now.
     */
    private void toOwner(HttpServletRequest request, HttpServletResponse response, FilterChain chain, Caller caller, RouteResolver.Route route)
            throws ServletException, IOException {
        CachedBodyRequest call = CachedBodyRequest.of(request);
        String seen = ownerOf(records.find(route.where(), route.name()), caller);
        if (seen.equals(directory.self())) {
            RefusalHold held = new RefusalHold(response);
            chain.doFilter(call, held);
            if (!held.refusedAsNotHere()) {
                held.release();
                return;
            }
            String now = ownerOf(records.refresh(route.where(), route.name()), caller);
            if (now.equals(directory.self())) {
                held.release(); // etcd says here after all: the refusal is the answer
                return;
            }
            log.info("{} '{}' is on node {}, not here as this node's view had it; sending the call there", route.kind(), route.name(), now);
            forward(now, call, response, caller, route);
            return;
        }
        try (Forwarder.Answer answer = sendTo(seen, call, caller, route)) {
            if (answer.status() != ErrorCode.NOT_THIS_NODE.status().value()) {
                Forwarder.relay(answer, response);
                return;
            }
            byte[] refusal = answer.body().readAllBytes();
            String now = CreatePlacement.codeOf(refusal) == ErrorCode.NOT_THIS_NODE.code()
                    ? ownerOf(records.refresh(route.where(), route.name()), caller) : seen;
            if (now.equals(seen)) {
                Forwarder.relay(answer.withBody(refusal), response);
                return;
            }
            log.info("{} '{}' is not on node {} as this node's view had it; sending the call to {}", route.kind(), route.name(), seen,
                    now.equals(directory.self()) ? "this node" : now);
            if (now.equals(directory.self())) {
                chain.doFilter(call, response);
            } else {
                forward(now, call, response, caller, route);
            }
        }
    }

    /** The node to run a call on it: its record's, else this one (no record the caller may see, or one that names no node). */
    private String ownerOf(Optional<Owned> record, Caller caller) {
        return record.filter(r -> caller.maySee(r.tenant())).map(Owned::node).orElse(directory.self());
    }

    private void forward(String node, CachedBodyRequest call, HttpServletResponse response, Caller caller, RouteResolver.Route route) throws IOException {
        try (Forwarder.Answer answer = sendTo(node, call, caller, route)) {
            Forwarder.relay(answer, response);
        }
    }

    private Forwarder.Answer sendTo(String node, CachedBodyRequest call, Caller caller, RouteResolver.Route route) {
        NodeStatus target = directory.recentlyLive(node, LIVENESS_MAX_AGE)
                .orElseThrow(() -> NodeUnavailable.of(route.kind(), route.name(), node, "down"));
        return forwarding.send(target, call, caller, route.kind(), route.name());
    }

    private static Optional<Caller> caller() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.getPrincipal() instanceof Caller c ? Optional.of(c) : Optional.empty();
    }
}
