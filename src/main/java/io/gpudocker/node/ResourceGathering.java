package io.gpudocker.node;

import io.gpudocker.api.Caller;
import io.gpudocker.api.EnvelopeWriter;
import io.gpudocker.common.ByteSizes;
import io.gpudocker.store.StoreUnavailableException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.util.ContentCachingResponseWrapper;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The resource views of a cluster: each up node answers for its own GPUs, cores, memory and ports (as the caller, so a
 * tenant still sees only its own holders) and the answers are added up: counts summed, lists joined with each entry's
 * {@code nodeName}, the GPU map (UUIDs are unique) joined as is, per-host maps (the fork's core map) keyed
 * {@code node/core}. A node that does not answer is left out of the sums. With one node up, its own answer is the answer.
 */
public class ResourceGathering {
    private static final Logger log = LoggerFactory.getLogger(ResourceGathering.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final NodeDirectory directory;
    private final Forwarder forwarder;

    public ResourceGathering(NodeDirectory directory, Forwarder forwarder) {
        this.directory = directory;
        this.forwarder = forwarder;
    }

    void gather(String kind, HttpServletRequest request, HttpServletResponse response, FilterChain chain, Caller caller) throws ServletException, IOException {
        Map<String, NodeStatus> live;
        try {
            live = directory.live();
        } catch (StoreUnavailableException e) {
            // the views are this node's memory: they still answer while etcd does not, for this node alone
            chain.doFilter(request, response);
            return;
        }
        live.remove(directory.self());
        if (live.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        ContentCachingResponseWrapper local = new ContentCachingResponseWrapper(response);
        chain.doFilter(request, local);
        if (local.getStatus() != 200) {
            local.copyBodyToResponse();
            return;
        }
        Map<String, JsonNode> parts = new TreeMap<>();
        parts.put(directory.self(), JSON.readTree(local.getContentAsByteArray()).path("data"));
        String query = request.getQueryString();
        String pathAndQuery = request.getRequestURI() + (query == null ? "" : "?" + query);
        for (NodeStatus other : live.values()) {
            try (Forwarder.Answer answer = forwarder.send(other.name(), other.advertise(), "GET", pathAndQuery, null, new byte[0], caller)) {
                JsonNode body = JSON.readTree(answer.body().readAllBytes());
                if (answer.status() == 200) {
                    parts.put(other.name(), body.path("data"));
                } else {
                    log.warn("resources: node {} answered {} for {}; left out", other.name(), answer.status(), kind);
                }
            } catch (IOException e) {
                log.warn("resources: node {} did not answer for {}: {}; left out", other.name(), kind, Forwarder.unreachable(other.advertise(), e));
            } catch (RuntimeException e) {
                log.warn("resources: node {} did not answer for {} ({}); left out", other.name(), kind, e.getMessage());
            }
        }
        EnvelopeWriter.ok(response, merge(kind, parts));
    }

    static ObjectNode merge(String kind, Map<String, JsonNode> parts) {
        ObjectNode out = JSON.createObjectNode();
        boolean many = parts.size() > 1;
        parts.forEach((node, data) -> {
            for (Map.Entry<String, JsonNode> field : data.properties()) {
                String name = field.getKey();
                JsonNode value = field.getValue();
                JsonNode existing = out.get(name);
                if (value.isNumber()) {
                    out.put(name, (existing == null ? 0 : existing.asLong()) + value.asLong());
                } else if (value.isString()) {
                    out.put(name, existing == null || existing.asString().equals(value.asString()) ? value.asString()
                            : existing.asString() + "," + value.asString());
                } else if (value.isArray()) {
                    ArrayNode joined = existing instanceof ArrayNode a ? a : out.putArray(name);
                    value.forEach(e -> joined.add(e.isObject() ? ((ObjectNode) e.deepCopy()).put("nodeName", node) : e.deepCopy()));
                } else if (value.isObject()) {
                    ObjectNode target = existing instanceof ObjectNode o ? o : out.putObject(name);
                    if ("ports".equals(name)) {
                        mergeOriginalPorts(target, value);
                    } else {
                        // GPU UUIDs are unique across nodes; core numbers are not
                        String prefix = many && !"gpus".equals(name) ? node + "/" : "";
                        value.properties().forEach(e -> target.set(prefix + e.getKey(), e.getValue().deepCopy()));
                    }
                } else if (existing == null) {
                    out.set(name, value.deepCopy());
                }
            }
        });
        if ("memory".equals(kind)) {
            out.put("totalText", ByteSizes.format(out.path("total").asLong()));
            out.put("freeText", ByteSizes.format(out.path("free").asLong()));
        }
        return out;
    }

    /** The original's port view: the lowest start, the highest end, the free counts summed, the used sets joined. */
    private static void mergeOriginalPorts(ObjectNode target, JsonNode value) {
        boolean first = !target.has("StartPort");
        target.put("StartPort", first ? value.path("StartPort").asInt() : Math.min(target.path("StartPort").asInt(), value.path("StartPort").asInt()));
        target.put("EndPort", first ? value.path("EndPort").asInt() : Math.max(target.path("EndPort").asInt(), value.path("EndPort").asInt()));
        target.put("AvailableCount", target.path("AvailableCount").asInt(0) + value.path("AvailableCount").asInt(0));
        ObjectNode used = target.has("UsedPortSet") ? (ObjectNode) target.get("UsedPortSet") : target.putObject("UsedPortSet");
        value.path("UsedPortSet").properties().forEach(e -> used.set(e.getKey(), e.getValue().deepCopy()));
    }
}
