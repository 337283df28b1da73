package io.gpudocker.node;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.Owned;
import io.gpudocker.api.RunsOn.Where;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.util.ContentCachingResponseWrapper;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which node runs a create: the node its body names, else (a replicaset) the node of the volumes it binds, else the
 * placement rule, trying the next candidate while a node turns out to have no room after all.
 */
class CreatePlacement {
    private static final Logger log = LoggerFactory.getLogger(CreatePlacement.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A node's refusals for want of room: the next placement candidate may have it. */
    private static final Set<Integer> FULL = Set.of(ErrorCode.GPU_NOT_ENOUGH.code(), ErrorCode.PORT_NOT_ENOUGH.code(),
            ErrorCode.CPU_NOT_ENOUGH.code(), ErrorCode.MEMORY_NOT_ENOUGH.code());

    private final Placement placement;
    private final CallForwarding forwarding;
    private final OwnedRecords records;

    CreatePlacement(Placement placement, CallForwarding forwarding, OwnedRecords records) {
        this.placement = placement;
        this.forwarding = forwarding;
        this.records = records;
    }

    void replicaSet(CachedBodyRequest request, HttpServletResponse response, FilterChain chain, Caller caller) throws ServletException, IOException {
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
            forwarding.toNamedNode(request, response, chain, caller, target, "replicaset", name);
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
            if (candidate.name().equals(forwarding.self())) {
                if (runHere(request, response, chain, last)) {
                    return;
                }
                continue;
            }
            Forwarder.Answer answer;
            try {
                answer = forwarding.send(candidate, request, caller, "replicaset", name);
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

    void volume(CachedBodyRequest request, HttpServletResponse response, FilterChain chain, Caller caller) throws ServletException, IOException {
        JsonNode body = parse(request.body());
        String named = body == null ? null : text(body, "node");
        if (named == null) {
            chain.doFilter(request, response);
            return;
        }
        forwarding.toNamedNode(request, response, chain, caller, named, "volume", body.path("name").asString(""));
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
            records.find(Where.VOLUME_OWNER, src.substring(0, dash)).filter(r -> caller.maySee(r.tenant()))
                    .map(Owned::node).filter(n -> n != null && !nodes.contains(n)).ifPresent(nodes::add);
        }
        if (nodes.size() > 1) {
            throw ApiException.of(ErrorCode.NODE_MISMATCH, "the binds name volumes on different nodes (%s); an instance can mount only volumes "
                    + "of the node it runs on", String.join(", ", nodes));
        }
        return nodes.isEmpty() ? null : nodes.get(0);
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

    static int codeOf(byte[] body) {
        JsonNode parsed = parse(body);
        return parsed == null ? 0 : parsed.path("code").asInt(0);
    }
}
