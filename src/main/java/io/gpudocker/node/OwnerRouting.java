package io.gpudocker.node;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.EnvelopeWriter;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.store.Stored;
import io.gpudocker.volume.VolumeRecord;
import io.gpudocker.volume.VolumeRepository;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Any node answers any call: after authentication, a call on an instance or volume another node holds is sent on to
 * that node, a create is placed (named node, the node of its volumes, else the placement rule) and the resource views
 * are gathered from every up node. Lists and histories are read from etcd where the call arrives. A call that
 * arrived forwarded always runs here.
 */
public class OwnerRouting extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(OwnerRouting.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern REPLICASET = Pattern.compile("^/api/v1/replicaSet/([^/]+)(/[^/]+)?/?$");
    private static final Pattern VOLUME = Pattern.compile("^/api/v1/volumes/([^/]+)(/[^/]+)?/?$");
    private static final Pattern RESOURCE = Pattern.compile("^/api/v1/resources/(gpus|ports|cpus|memory)/?$");
    /** A node's refusals for want of room: the next placement candidate may have it. */
    private static final Set<Integer> FULL = Set.of(ErrorCode.GPU_NOT_ENOUGH.code(), ErrorCode.PORT_NOT_ENOUGH.code(),
            ErrorCode.CPU_NOT_ENOUGH.code(), ErrorCode.MEMORY_NOT_ENOUGH.code());

    /** How old the view of which nodes are up may be when a call is sent on (a lease is seconds long in any case). */
    private static final java.time.Duration LIVENESS_MAX_AGE = java.time.Duration.ofSeconds(1);

    private final NodeDirectory directory;
    private final Placement placement;
    private final Forwarder forwarder;
    private final ReplicaSetRepository replicaSets;
    private final VolumeRepository volumes;
    private final ResourceGathering resources;

    public OwnerRouting(NodeDirectory directory, Placement placement, Forwarder forwarder, ReplicaSetRepository replicaSets,
                        VolumeRepository volumes, ResourceGathering resources) {
        this.directory = directory;
        this.placement = placement;
        this.forwarder = forwarder;
        this.replicaSets = replicaSets;
        this.volumes = volumes;
        this.resources = resources;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getAttribute(InterNodeCredential.FORWARDED_BY) != null || !path(request).startsWith("/api/v1/");
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
        String path = path(request);
        String method = request.getMethod();
        Matcher m;
        if ("POST".equals(method) && path.matches("^/api/v1/replicaSet/?$")) {
            createReplicaSet(CachedBodyRequest.of(request), response, chain, caller);
        } else if ("POST".equals(method) && path.matches("^/api/v1/volumes/?$")) {
            createVolume(CachedBodyRequest.of(request), response, chain, caller);
        } else if ((m = REPLICASET.matcher(path)).matches() && !isHistoryRead(method, m.group(2))) {
            String name = m.group(1);
            Optional<Stored<ReplicaSetRecord>> found = replicaSets.findQuietly(name);
            routeToOwner(request, response, chain, caller, "replicaset", name,
                    found.filter(s -> caller.owns(s.record().tenant())).map(s -> s.record().node()));
        } else if ((m = VOLUME.matcher(path)).matches() && !isHistoryRead(method, m.group(2))) {
            String name = m.group(1);
            Optional<Stored<VolumeRecord>> found = volumes.findQuietly(name);
            routeToOwner(request, response, chain, caller, "volume", name,
                    found.filter(s -> caller.owns(s.record().tenant())).map(s -> s.record().node()));
        } else if ("GET".equals(method) && path.matches("^/api/v1/images/?$") && request.getParameter("node") != null) {
            toNamedNode(CachedBodyRequest.of(request), response, chain, caller, request.getParameter("node"), "image list", "");
        } else if ("GET".equals(method) && (m = RESOURCE.matcher(path)).matches()) {
            resources.gather(m.group(1), request, response, chain, caller);
        } else {
            chain.doFilter(request, response);
        }
    }

    private static boolean isHistoryRead(String method, String suffix) {
        return "GET".equals(method) && "/history".equals(suffix);
    }

    /** Runs here when this node holds it (or nothing does: the answer is then this node's 404); otherwise on its node. */
    private void routeToOwner(HttpServletRequest request, HttpServletResponse response, FilterChain chain, Caller caller, String kind, String name,
                              Optional<String> owner) throws ServletException, IOException {
        if (owner.isEmpty() || owner.get() == null || owner.get().equals(directory.self())) {
            chain.doFilter(request, response);
            return;
        }
        String node = owner.get();
        NodeStatus target = directory.recentlyLive(node, LIVENESS_MAX_AGE).orElseThrow(() -> NodeUnavailable.of(kind, name, node, "down"));
        CachedBodyRequest cached = CachedBodyRequest.of(request);
        try (Forwarder.Answer answer = send(target, cached, caller, kind, name)) {
            Forwarder.relay(answer, response);
        }
    }

    private void createReplicaSet(CachedBodyRequest request, HttpServletResponse response, FilterChain chain, Caller caller) throws ServletException, IOException {
        JsonNode body = parse(request.body());
        if (body == null) {
            chain.doFilter(request, response);
            return;
        }
        String name = body.path("replicaSetName").asString("");
        String named = text(body, "node");
        String volumeNode = volumesNode(body.path("binds"), caller);
        if (named != null && volumeNode != null && !named.equals(volumeNode)) {
            throw ApiException.of(ErrorCode.NODE_MISMATCH, "replicaset '%s' names node '%s' but binds volumes on node '%s'; an instance runs "
                    + "where its volumes are", name, named, volumeNode);
        }
        String target = named != null ? named : volumeNode;
        if (target != null) {
            toNamedNode(request, response, chain, caller, target, "replicaset", name);
            return;
        }
        JsonNode gpus = body.path("gpuCount");
        if (!gpus.isMissingNode() && !gpus.isNull() && !gpus.isIntegralNumber()) {
            chain.doFilter(request, response); // the validation here explains what is wrong
            return;
        }
        List<NodeStatus> candidates = placement.choose(Math.max(0, gpus.asInt(0)));
        if (candidates.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        for (int i = 0; i < candidates.size(); i++) {
            boolean last = i == candidates.size() - 1;
            NodeStatus candidate = candidates.get(i);
            if (candidate.name().equals(directory.self())) {
                if (runHere(request, response, chain, last)) {
                    return;
                }
                continue;
            }
            Forwarder.Answer answer;
            try {
                answer = send(candidate, request, caller, "replicaset", name);
            } catch (ApiException unreachable) {
                if (last) {
                    throw unreachable;
                }
                continue;
            }
            try (answer) {
                if (last || answer.status() != 409) {
                    Forwarder.relay(answer, response);
                    return;
                }
                byte[] refusal = answer.body().readAllBytes();
                if (!FULL.contains(codeOf(refusal))) {
                    Forwarder.relay(answer.withBody(refusal), response);
                    return;
                }
                log.info("placement: node {} had no room for replicaset {} after all; trying the next node", candidate.name(), name);
            }
        }
    }

    private void createVolume(CachedBodyRequest request, HttpServletResponse response, FilterChain chain, Caller caller) throws ServletException, IOException {
        JsonNode body = parse(request.body());
        String named = body == null ? null : text(body, "node");
        if (named == null) {
            chain.doFilter(request, response);
            return;
        }
        toNamedNode(request, response, chain, caller, named, "volume", body.path("name").asString(""));
    }

    private void toNamedNode(CachedBodyRequest request, HttpServletResponse response, FilterChain chain, Caller caller, String node, String kind,
                             String name) throws ServletException, IOException {
        if (node.equals(directory.self())) {
            chain.doFilter(request, response);
            return;
        }
        if (directory.member(node).isEmpty()) {
            throw NodeMembers.unknown(node);
        }
        NodeStatus target = directory.live(node).orElseThrow(() -> NodeUnavailable.of(kind, name, node, "down"));
        try (Forwarder.Answer answer = send(target, request, caller, kind, name)) {
            Forwarder.relay(answer, response);
        }
    }

    /** Runs the create here; unless it is the last candidate, a refusal for want of room is held back so the next may try. */
    private static boolean runHere(CachedBodyRequest request, HttpServletResponse response, FilterChain chain, boolean last) throws ServletException, IOException {
        if (last) {
            chain.doFilter(request, response);
            return true;
        }
        ContentCachingResponseWrapper held = new ContentCachingResponseWrapper(response);
        chain.doFilter(request, held);
        if (held.getStatus() == 409 && FULL.contains(codeOf(held.getContentAsByteArray()))) {
            return false;
        }
        held.copyBodyToResponse();
        return true;
    }

    private Forwarder.Answer send(NodeStatus target, CachedBodyRequest request, Caller caller, String kind, String name) {
        String query = request.getQueryString();
        String pathAndQuery = request.getRequestURI() + (query == null ? "" : "?" + query);
        try {
            return forwarder.send(target.advertise(), request.getMethod(), pathAndQuery, request.getContentType(), request.body(), caller);
        } catch (IOException e) {
            throw NodeUnavailable.of(kind, name, target.name(), "unreachable at " + target.advertise() + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The one node the volumes a create binds are on, or null when it binds none of the managed volumes. */
    private String volumesNode(JsonNode binds, Caller caller) {
        List<String> nodes = new ArrayList<>();
        if (!binds.isArray()) {
            return null;
        }
        for (JsonNode bind : binds) {
            String src = bind.path("src").asString("");
            int dash = src.lastIndexOf('-');
            if (src.startsWith("/") || dash <= 0 || !src.substring(dash + 1).matches("\\d{1,18}")) {
                continue;
            }
            volumes.findQuietly(src.substring(0, dash)).map(Stored::record).filter(r -> caller.owns(r.tenant()))
                    .map(VolumeRecord::node).filter(n -> n != null && !nodes.contains(n)).ifPresent(nodes::add);
        }
        if (nodes.size() > 1) {
            throw ApiException.of(ErrorCode.NODE_MISMATCH, "the binds name volumes on different nodes (%s); an instance can mount only volumes "
                    + "of the node it runs on", String.join(", ", nodes));
        }
        return nodes.isEmpty() ? null : nodes.get(0);
    }

    private static Optional<Caller> caller() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.getPrincipal() instanceof Caller c ? Optional.of(c) : Optional.empty();
    }

    static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.path(field);
        return v.isString() && !v.asString().isBlank() ? v.asString().trim() : null;
    }

    private static int codeOf(byte[] body) {
        JsonNode parsed = parse(body);
        return parsed == null ? 0 : parsed.path("code").asInt(0);
    }
}
