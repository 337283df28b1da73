package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.Owned;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import jakarta.servlet.FilterChain;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Which node runs a call, over the application's own handler mapping, with the other nodes played by a fake forwarder. */
class OwnerRoutingTest {
    private static final ApiHandlerMapping MAPPING = ApiHandlerMapping.overControllers();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Caller ALICE = Caller.tenant("alice");

    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/p", "a");
    private final NodeDirectory directory = new NodeDirectory(store, keys);
    private final Map<String, Owned> replicaSets = new HashMap<>();
    private final Map<String, Owned> volumes = new HashMap<>();
    private final FakeForwarder forwarder = new FakeForwarder();
    private final List<String> ranHere = new ArrayList<>();
    /** What this node's handlers answer; the default is a success. */
    private int localStatus = 200;
    private String localBody = "{\"code\":200,\"msg\":\"Success\",\"data\":null}";
    private OwnerRouting routing;

    record Rec(String tenant, String node) implements Owned {}

    @BeforeEach
    void setUp() {
        OwnedRecords records = (owner, name) -> Optional.ofNullable((owner == Where.REPLICASET_OWNER ? replicaSets : volumes).get(name));
        CallForwarding forwarding = new CallForwarding(directory, forwarder);
        routing = new OwnerRouting(new RouteResolver(() -> MAPPING), directory, records, forwarding,
                new CreatePlacement(new Placement(directory, GdaProperties.Node.Placement.PACK), forwarding, records),
                new ResourceGathering(directory, forwarder));
        SecurityContextHolder.getContext().setAuthentication(new TestingAuthenticationToken(ALICE, null));
        node("a", 2, true);
    }

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void anEncodedPathRoutesLikeItsDecodedFormToTheUpNodeThatHoldsIt() throws Exception {
        node("b", 0, true);
        replicaSets.put("foo", new Rec("alice", "b"));

        MockHttpServletResponse plain = call("GET", "/api/v1/replicaSet/foo", null);
        MockHttpServletResponse encoded = call("GET", "/api/v1/replicaSet/f%6Fo", null);

        assertThat(forwarder.sent).containsExactly("http://b:2378 GET /api/v1/replicaSet/foo", "http://b:2378 GET /api/v1/replicaSet/f%6Fo");
        assertThat(plain.getContentAsString()).contains("from b");
        assertThat(encoded.getContentAsString()).contains("from b");
        assertThat(ranHere).isEmpty();
    }

    @Test
    void theCallersConditionTravelsWithTheCallToTheOwner() throws Exception {
        node("b", 0, true);
        replicaSets.put("foo", new Rec("alice", "b"));
        MockHttpServletRequest request = request("GET", "/api/v1/replicaSet/foo", null);
        request.addHeader("If-None-Match", "\"t1\"");

        routing.doFilter(request, new MockHttpServletResponse(), chain());
        call("GET", "/api/v1/replicaSet/foo", null);

        assertThat(forwarder.sent).hasSize(2);
        assertThat(forwarder.conditions).containsExactly("\"t1\"");
    }

    @Test
    void everyCallOnAnInstanceOrVolumeRunsOnItsNodeButHistoriesAndListsRunHere() throws Exception {
        node("b", 0, true);
        replicaSets.put("foo", new Rec("alice", "b"));
        volumes.put("data", new Rec("alice", "b"));

        call("PATCH", "/api/v1/replicaSet/foo/stop", null);
        call("POST", "/api/v1/replicaSet/foo/execute", "{\"cmd\":[\"ls\"]}");
        call("GET", "/api/v1/replicaSet/foo/logs", null);
        call("DELETE", "/api/v1/replicaSet/foo", null);
        call("PATCH", "/api/v1/volumes/data/size", "{\"size\":\"2GB\"}");
        call("GET", "/api/v1/volumes/d%61ta", null);
        assertThat(forwarder.sent).hasSize(6).allMatch(s -> s.startsWith("http://b:2378 "));

        call("GET", "/api/v1/replicaSet/foo/history", null);
        call("GET", "/api/v1/volumes/data/history", null);
        call("GET", "/api/v1/replicaSet", null);
        call("GET", "/api/v1/volumes", null);
        call("GET", "/api/v1/nodes", null);
        call("GET", "/api/v1/whoami", null);
        assertThat(forwarder.sent).hasSize(6);
        assertThat(ranHere).hasSize(6);
    }

    @Test
    void aCallOnSomethingOfADownNodeIsA503NamingIt() throws Exception {
        member("b");
        replicaSets.put("foo", new Rec("alice", "b"));

        MockHttpServletResponse response = call("PATCH", "/api/v1/replicaSet/foo/stop", null);

        assertThat(response.getStatus()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.getContentAsString());
        assertThat(body.path("code").asInt()).isEqualTo(ErrorCode.NODE_DOWN.code());
        assertThat(body.path("msg").asString()).isEqualTo("replicaset 'foo' is on node 'b', which is down; calls on it work again once that node "
                + "is back (everything else keeps working)");
        assertThat(response.getContentType()).startsWith("application/json");
        assertThat(forwarder.sent).isEmpty();
        assertThat(ranHere).isEmpty();
    }

    @Test
    void somethingOfThisNodeAnotherTenantsOrUnrecordedRunsHere() throws Exception {
        node("b", 0, true);
        replicaSets.put("mine", new Rec("alice", "a"));
        replicaSets.put("bobs", new Rec("bob", "b"));

        call("GET", "/api/v1/replicaSet/mine", null);
        call("GET", "/api/v1/replicaSet/bobs", null);
        call("GET", "/api/v1/replicaSet/nothing", null);
        call("PUT", "/api/v1/replicaSet/bobs", null);

        assertThat(ranHere).hasSize(4);
        assertThat(forwarder.sent).isEmpty();
    }

    @Test
    void aForwardedCallAlwaysRunsHere() throws Exception {
        node("b", 0, true);
        replicaSets.put("foo", new Rec("alice", "b"));
        MockHttpServletRequest request = request("PATCH", "/api/v1/replicaSet/foo/stop", null);
        request.setAttribute(InterNodeCredential.FORWARDED_BY, "b");

        routing.doFilter(request, new MockHttpServletResponse(), chain());

        assertThat(ranHere).hasSize(1);
        assertThat(forwarder.sent).isEmpty();
    }

    @Test
    void aCreateIsPlacedAndTriesTheNextNodeWhileOneTurnsOutFull() throws Exception {
        node("a", 2, true);
        node("b", 1, true);
        node("c", 4, true);
        String full = "{\"code\":" + ErrorCode.GPU_NOT_ENOUGH.code() + ",\"msg\":\"no room\",\"data\":null}";
        forwarder.answer("b", 409, full);
        forwarder.answer("c", 200, "{\"code\":200,\"msg\":\"Success\",\"data\":{\"name\":\"x-1\"}}");
        localStatus = 409;
        localBody = full;

        MockHttpServletResponse response = call("POST", "/api/v1/replicaSet", "{\"replicaSetName\":\"x\",\"gpuCount\":1}");

        // pack: the fewest free GPUs that fit first
        assertThat(forwarder.sent).containsExactly("http://b:2378 POST /api/v1/replicaSet", "http://c:2378 POST /api/v1/replicaSet");
        assertThat(ranHere).hasSize(1);
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).contains("x-1");
    }

    @Test
    void aCreateRefusedForAnotherReasonIsAnsweredAsIs() throws Exception {
        node("b", 1, true);
        forwarder.answer("b", 409, "{\"code\":1008,\"msg\":\"exists\",\"data\":null}");

        MockHttpServletResponse response = call("POST", "/api/v1/replicaSet", "{\"replicaSetName\":\"x\",\"gpuCount\":1}");

        assertThat(response.getStatus()).isEqualTo(409);
        assertThat(response.getContentAsString()).contains("1008");
        assertThat(forwarder.sent).hasSize(1);
        assertThat(ranHere).isEmpty();
    }

    @Test
    void aCreateNamingANodeOrBindingItsVolumesRunsThere() throws Exception {
        node("b", 0, true);
        volumes.put("data", new Rec("alice", "b"));

        call("POST", "/api/v1/replicaSet", "{\"replicaSetName\":\"x\",\"binds\":[{\"src\":\"data-1\",\"dest\":\"/d\"}]}");
        call("POST", "/api/v1/volumes", "{\"name\":\"v\",\"node\":\"b\"}");
        call("GET", "/api/v1/images?node=b", null);
        assertThat(forwarder.sent).hasSize(3).allMatch(s -> s.startsWith("http://b:2378 "));

        call("POST", "/api/v1/volumes", "{\"name\":\"v\"}");
        call("GET", "/api/v1/images", null);
        assertThat(ranHere).hasSize(2);
        assertThat(call("POST", "/api/v1/volumes", "{\"name\":\"v\",\"node\":\"zz\"}").getContentAsString())
                .contains(String.valueOf(ErrorCode.NODE_UNKNOWN.code()));
    }

    @Test
    void resourcesAreGatheredFromEveryUpNode() throws Exception {
        node("b", 0, true);
        localBody = "{\"code\":200,\"msg\":\"Success\",\"data\":{\"total\":2,\"free\":1}}";
        forwarder.answer("b", 200, "{\"code\":200,\"msg\":\"Success\",\"data\":{\"total\":4,\"free\":4}}");

        MockHttpServletResponse response = call("GET", "/api/v1/resources/gpus", null);

        assertThat(forwarder.sent).containsExactly("http://b:2378 GET /api/v1/resources/gpus");
        JsonNode data = JSON.readTree(response.getContentAsString()).path("data");
        assertThat(data.path("total").asInt()).isEqualTo(6);
        assertThat(data.path("free").asInt()).isEqualTo(5);
    }

    /** Routing over a view that may be behind etcd: {@code view} is what it says, {@code etcd} what a fresh read says. */
    private OwnerRouting routingOverAView(Map<String, Owned> view, Map<String, Owned> etcd, List<String> refreshed) {
        OwnedRecords records = new OwnedRecords() {
            @Override
            public Optional<Owned> find(Where owner, String name) { return Optional.ofNullable(view.get(name)); }

            @Override
            public Optional<Owned> refresh(Where owner, String name) {
                refreshed.add(name);
                return Optional.ofNullable(etcd.get(name));
            }
        };
        CallForwarding forwarding = new CallForwarding(directory, forwarder);
        return new OwnerRouting(new RouteResolver(() -> MAPPING), directory, records, forwarding,
                new CreatePlacement(new Placement(directory, GdaProperties.Node.Placement.PACK), forwarding, records),
                new ResourceGathering(directory, forwarder));
    }

    private static final String NOT_MINE = "{\"code\":" + ErrorCode.NOT_THIS_NODE.code() + ",\"msg\":\"not on this node\",\"data\":null}";

    @Test
    void aNodeTheViewNamedWrongRefusesAndTheCallIsSentOnceMoreToTheOwnerEtcdNames() throws Exception {
        node("b", 0, true);
        node("c", 0, true);
        forwarder.answer("b", 409, NOT_MINE);
        List<String> refreshed = new ArrayList<>();
        routing = routingOverAView(Map.of("foo", new Rec("alice", "b")), Map.of("foo", new Rec("alice", "c")), refreshed);

        MockHttpServletResponse response = call("PATCH", "/api/v1/replicaSet/foo/stop", null);

        assertThat(forwarder.sent).containsExactly("http://b:2378 PATCH /api/v1/replicaSet/foo/stop", "http://c:2378 PATCH /api/v1/replicaSet/foo/stop");
        assertThat(refreshed).containsExactly("foo");
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).contains("from c");
        assertThat(ranHere).isEmpty();
    }

    @Test
    void aViewThatStillHasItHereIsCorrectedByThisNodesOwnRefusal() throws Exception {
        node("b", 0, true);
        localStatus = 409;
        localBody = NOT_MINE;
        List<String> refreshed = new ArrayList<>();
        routing = routingOverAView(Map.of(), Map.of("data", new Rec("alice", "b")), refreshed);

        MockHttpServletResponse response = call("PATCH", "/api/v1/volumes/data/size", "{\"size\":\"2GB\"}");

        assertThat(ranHere).hasSize(1);
        assertThat(forwarder.sent).containsExactly("http://b:2378 PATCH /api/v1/volumes/data/size");
        assertThat(forwarder.bodies).containsExactly("{\"size\":\"2GB\"}");
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).contains("from b").doesNotContain(String.valueOf(ErrorCode.NOT_THIS_NODE.code()));
    }

    @Test
    void anOwnersOtherRefusalIsTheAnswerAndARefusalEtcdAgreesWithIsNotRetried() throws Exception {
        node("b", 0, true);
        forwarder.answer("b", 409, "{\"code\":1008,\"msg\":\"busy\",\"data\":null}");
        List<String> refreshed = new ArrayList<>();
        Map<String, Owned> both = Map.of("foo", new Rec("alice", "b"));
        routing = routingOverAView(both, both, refreshed);

        MockHttpServletResponse other = call("PATCH", "/api/v1/replicaSet/foo/stop", null);
        forwarder.answer("b", 409, NOT_MINE);
        MockHttpServletResponse notMine = call("PATCH", "/api/v1/replicaSet/foo/stop", null);

        assertThat(other.getContentAsString()).contains("1008");
        assertThat(notMine.getStatus()).isEqualTo(409);
        assertThat(notMine.getContentAsString()).contains(String.valueOf(ErrorCode.NOT_THIS_NODE.code()));
        assertThat(refreshed).containsExactly("foo");
        assertThat(forwarder.sent).hasSize(2).allMatch(s -> s.startsWith("http://b:2378 "));
        assertThat(ranHere).isEmpty();
    }

    @Test
    void anAnswerHereThatIsNotARefusalPassesThroughUnheld() throws Exception {
        localStatus = 409;
        localBody = "{\"code\":1008,\"msg\":\"busy\",\"data\":null}";
        List<String> refreshed = new ArrayList<>();
        routing = routingOverAView(Map.of("foo", new Rec("alice", "a")), Map.of(), refreshed);

        MockHttpServletResponse response = call("PATCH", "/api/v1/replicaSet/foo/stop", null);

        assertThat(response.getStatus()).isEqualTo(409);
        assertThat(response.getContentAsString()).isEqualTo(localBody);
        assertThat(refreshed).isEmpty();
        assertThat(forwarder.sent).isEmpty();
    }

    private MockHttpServletResponse call(String method, String uri, String body) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        routing.doFilter(request(method, uri, body), response, chain());
        return response;
    }

    private static MockHttpServletRequest request(String method, String uri, String body) {
        int q = uri.indexOf('?');
        MockHttpServletRequest request = new MockHttpServletRequest(method, q < 0 ? uri : uri.substring(0, q));
        if (q >= 0) {
            request.setQueryString(uri.substring(q + 1));
            for (String pair : uri.substring(q + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                request.addParameter(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        if (body != null) {
            request.setContentType("application/json");
            request.setContent(body.getBytes(StandardCharsets.UTF_8));
        }
        return request;
    }

    private FilterChain chain() {
        return (request, response) -> {
            ranHere.add(((MockHttpServletRequest) unwrap(request)).getRequestURI());
            ((jakarta.servlet.http.HttpServletResponse) response).setStatus(localStatus);
            response.setContentType("application/json");
            response.getOutputStream().write(localBody.getBytes(StandardCharsets.UTF_8));
        };
    }

    private static jakarta.servlet.ServletRequest unwrap(jakarta.servlet.ServletRequest request) {
        while (request instanceof jakarta.servlet.ServletRequestWrapper w) {
            request = w.getRequest();
        }
        return request;
    }

    private void node(String name, int gpuFree, boolean ready) {
        NodeStatus s = new NodeStatus(name, "http://" + name + ":2378", "1", Instant.now(), ready, List.of(), 8, gpuFree, 4, 4, 0, 0, 100, 100);
        store.commit(new Txn().put(keys.node(name), Json.write(s)));
        member(name);
    }

    private void member(String name) {
        store.commit(new Txn().put(keys.nodeMember(name), Json.write(new NodeMember(name, "http://" + name + ":2378", Instant.now(), false))));
    }

    /** The other nodes: each answers what it was given, else a success naming itself. */
    private static final class FakeForwarder extends Forwarder {
        final List<String> sent = new ArrayList<>();
        final List<String> bodies = new ArrayList<>();
        final List<String> conditions = new ArrayList<>();
        private final Map<String, Answer> answers = new HashMap<>();

        FakeForwarder() {
            super(null, "a", null);
        }

        void answer(String node, int status, String body) {
            answers.put("http://" + node + ":2378", new Answer(status, Map.of("Content-Type", List.of("application/json")),
                    new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))));
        }

        @Override
        public Answer send(String receiver, String advertise, String method, String pathAndQuery, String contentType, byte[] body, Caller caller,
                           String ifNoneMatch, java.time.Duration answerWithin) throws IOException {
            if (ifNoneMatch != null) {
                conditions.add(ifNoneMatch);
            }
            assertThat(caller).isEqualTo(ALICE);
            assertThat(advertise).isEqualTo("http://" + receiver + ":2378");
            sent.add(advertise + " " + method + " " + pathAndQuery.replaceAll("\\?.*", ""));
            if (body.length > 0) {
                bodies.add(new String(body, StandardCharsets.UTF_8));
            }
            Answer given = answers.get(advertise);
            return given != null ? given : new Answer(200, Map.of("Content-Type", List.of("application/json")),
                    new ByteArrayInputStream(("{\"code\":200,\"msg\":\"from " + advertise.substring(7, 8) + "\",\"data\":null}").getBytes(StandardCharsets.UTF_8)));
        }
    }
}
