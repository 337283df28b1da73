package io.gpudocker.node;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.EnvelopeWriter;
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

    /** Runs here when this node holds it (or nothing of the caller's does: the answer is then this node's 404); otherwise on its node. */
    private void toOwner(HttpServletRequest request, HttpServletResponse response, FilterChain chain, Caller caller, RouteResolver.Route route)
            throws ServletException, IOException {
        Optional<String> owner = records.find(route.where(), route.name()).filter(r -> caller.maySee(r.tenant())).map(Owned::node);
        if (owner.isEmpty() || owner.get().equals(directory.self())) {
            chain.doFilter(request, response);
            return;
        }
        String node = owner.get();
        NodeStatus target = directory.recentlyLive(node, LIVENESS_MAX_AGE)
                .orElseThrow(() -> NodeUnavailable.of(route.kind(), route.name(), node, "down"));
        forwarding.relay(target, CachedBodyRequest.of(request), response, caller, route.kind(), route.name());
    }

    private static Optional<Caller> caller() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.getPrincipal() instanceof Caller c ? Optional.of(c) : Optional.empty();
    }
}
