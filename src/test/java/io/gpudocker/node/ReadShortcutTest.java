package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.BearerCallers;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.Owned;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import jakarta.servlet.FilterChain;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Which reads are sent to their node before this node's pipeline runs, over the application's own handler mapping. */
class ReadShortcutTest {
    private static final ApiHandlerMapping MAPPING = ApiHandlerMapping.overControllers();
    private static final Caller ALICE = Caller.tenant("alice");

    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/p", "a");
    private final NodeDirectory directory = new NodeDirectory(store, keys);
    private final Map<String, Owned> replicaSets = new HashMap<>();
    private final Map<String, Owned> volumes = new HashMap<>();
    private final Map<String, Caller> tokens = new HashMap<>(Map.of("alice-token", ALICE, "admin-token", Caller.ADMIN));
    private final List<String> sent = new ArrayList<>();
    private final List<Caller> sentAs = new ArrayList<>();
    private final List<String> conditions = new ArrayList<>();
    private final List<String> ranThroughPipeline = new ArrayList<>();
    private Forwarder.Answer answer;
    private IOException unreachable;
    private final List<String> tokensChecked = new ArrayList<>();
    private final List<String> refreshed = new ArrayList<>();
    private boolean etcdDown;
    private boolean viewFails;
    private ReadShortcut shortcut;

    record Rec(String tenant, String node) implements Owned {}

    @BeforeEach
    void setUp() {
        BearerCallers callers = token -> {
            tokensChecked.add(token);
            if (etcdDown) {
                throw ApiException.of(ErrorCode.ETCD_UNAVAILABLE, "etcd did not answer");
            }
            return Optional.ofNullable(tokens.get(token));
        };
        OwnedRecords records = new OwnedRecords() {
            @Override
            public Optional<Owned> find(Where owner, String name) {
                if (viewFails) {
                    throw new IllegalStateException("etcd did not answer");
                }
                return Optional.ofNullable((owner == Where.REPLICASET_OWNER ? replicaSets : volumes).get(name));
            }

            @Override
            public Optional<Owned> refresh(Where owner, String name) {
                refreshed.add(name);
                return find(owner, name);
            }
        };
        shortcut = new ReadShortcut(callers, new RouteResolver(() -> MAPPING), records, directory, new RecordingForwarder());
        node("a", true);
        node("b", true);
        replicaSets.put("foo", new Rec("alice", "b"));
        volumes.put("data", new Rec("alice", "b"));
        answer = new Forwarder.Answer(200, Map.of("Content-Type", List.of("application/json"), "ETag", List.of("\"t1\""),
                "X-Content-Type-Options", List.of("nosniff"), "Cache-Control", List.of("no-cache, no-store"), "X-GDA-Node", List.of("b")),
                new ByteArrayInputStream("{\"code\":200,\"msg\":\"from b\"}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aPlainReadOfWhatAnotherNodeHoldsIsAnsweredByThatNodeAndRelayedWithItsSecurityHeaders() throws Exception {
        MockHttpServletResponse response = call(get("/api/v1/replicaSet/foo", r -> r.addHeader("If-None-Match", "\"t0\"")));

        assertThat(sent).containsExactly("http://b:2378 GET /api/v1/replicaSet/foo");
        assertThat(sentAs).containsExactly(ALICE);
        assertThat(conditions).containsExactly("\"t0\"");
        assertThat(ranThroughPipeline).isEmpty();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).isEqualTo("{\"code\":200,\"msg\":\"from b\"}");
        assertThat(response.getHeader("ETag")).isEqualTo("\"t1\"");
        assertThat(response.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-cache, no-store");
        assertThat(response.getHeader("X-GDA-Node")).as("a header of the hop itself").isNull();
    }

    @Test
    void aVolumeAndALogWithItsQueryAreTakenToo() throws Exception {
        call(get("/api/v1/volumes/data", r -> { }));
        call(get("/api/v1/replicaSet/foo/logs?tail=10", r -> r.setQueryString("tail=10")));

        assertThat(sent).containsExactly("http://b:2378 GET /api/v1/volumes/data", "http://b:2378 GET /api/v1/replicaSet/foo/logs?tail=10");
        assertThat(ranThroughPipeline).isEmpty();
    }

    @Test
    void everythingButAPlainReadOfAnOwnedObjectGoesThroughThePipeline() throws Exception {
        call(request("PATCH", "/api/v1/replicaSet/foo/stop", r -> r.addHeader("Authorization", "Bearer alice-token")));
        call(request("DELETE", "/api/v1/replicaSet/foo", r -> r.addHeader("Authorization", "Bearer alice-token")));
        call(request("HEAD", "/api/v1/replicaSet/foo", r -> r.addHeader("Authorization", "Bearer alice-token")));
        call(get("/api/v1/replicaSet/foo/history", r -> { }));
        call(get("/api/v1/replicaSet", r -> { }));
        call(get("/api/v1/whoami", r -> { }));
        call(get("/api/v1/replicaSet/foo", r -> r.addHeader("Origin", "https://console.example")));
        call(get("/api/v1/replicaSet/foo", r -> r.addHeader(InterNodeCredential.SIGNATURE, "x")));
        call(get("/api/v1/replicaSet/foo", r -> r.setContent("{}".getBytes(StandardCharsets.UTF_8))));
        call(get("/api/v1/replicaSet/foo", r -> r.addHeader("Transfer-Encoding", "chunked")));
        call(get("/api/v1/replicaSet/foo", r -> r.addHeader("Content-Type", "*/*")));
        call(get("/api/v1/replicaSet/foo", r -> r.addHeader("If-None-Match", "\"t\u0085\"")));

        assertThat(sent).isEmpty();
        assertThat(ranThroughPipeline).hasSize(12);
        assertThat(tokensChecked).as("no token is checked for a call that is not a read of an owned object").isEmpty();
    }

    @Test
    void aTokenCheckedHereIsLeftForTheSecurityChainAndAFailureOfTheViewFallsThrough() throws Exception {
        replicaSets.put("mine", new Rec("alice", "a"));
        MockHttpServletRequest mine = get("/api/v1/replicaSet/mine", r -> { });
        call(mine);
        viewFails = true;
        call(get("/api/v1/replicaSet/foo", r -> { }));

        assertThat(mine.getAttribute(BearerCallers.CHECKED)).isEqualTo(new BearerCallers.Checked("alice-token", Optional.of(ALICE)));
        assertThat(sent).isEmpty();
        assertThat(ranThroughPipeline).hasSize(2);
    }

    @Test
    void aCallerTheTokenDoesNotNameOrThatCannotBeToldIsLeftToTheSecurityChain() throws Exception {
        call(request("GET", "/api/v1/replicaSet/foo", r -> { }));
        call(request("GET", "/api/v1/replicaSet/foo", r -> r.addHeader("Authorization", "Bearer ")));
        call(request("GET", "/api/v1/replicaSet/foo", r -> r.addHeader("Authorization", "Basic YWxpY2U6eA==")));
        call(request("GET", "/api/v1/replicaSet/foo", r -> r.addHeader("Authorization", "Bearer revoked-token")));
        etcdDown = true;
        call(get("/api/v1/replicaSet/foo", r -> { }));

        assertThat(sent).isEmpty();
        assertThat(ranThroughPipeline).hasSize(5);
    }

    @Test
    void aRecordTheCallerMayNotSeeOneHereOrNoneIsLeftToThePipeline() throws Exception {
        replicaSets.put("bobs", new Rec("bob", "b"));
        replicaSets.put("mine", new Rec("alice", "a"));

        call(get("/api/v1/replicaSet/bobs", r -> { }));
        call(get("/api/v1/replicaSet/mine", r -> { }));
        call(get("/api/v1/replicaSet/nosuch", r -> { }));

        assertThat(sent).isEmpty();
        assertThat(ranThroughPipeline).hasSize(3);
        tokens.put("admin-token", Caller.ADMIN);
        call(request("GET", "/api/v1/replicaSet/bobs", r -> r.addHeader("Authorization", "Bearer admin-token")));
        assertThat(sent).containsExactly("http://b:2378 GET /api/v1/replicaSet/bobs");
    }

    @Test
    void aPathTheFirewallWouldLookAtIsLeftToIt() throws Exception {
        call(get("/api/v1/replicaSet/f%6Fo", r -> { }));
        call(get("/api/v1/replicaSet/foo;x=1", r -> { }));
        call(get("/api/v1//replicaSet/foo", r -> { }));
        call(get("/api/v1/replicaSet/./foo", r -> { }));

        assertThat(sent).isEmpty();
        assertThat(ranThroughPipeline).hasSize(4);
        assertThat(ReadShortcut.plainPath("/api/v1/replicaSet/foo-1_2.x")).isTrue();
        assertThat(ReadShortcut.plainPath("/api/v1/replicaSet/..")).isFalse();
        assertThat(ReadShortcut.plainPath("/api/v1/replicaSet/f o")).isFalse();
    }

    @Test
    void anOwnerThatIsDownUnreachableOrRefusesAsNotItsOwnLeavesTheCallToThePipeline() throws Exception {
        member("c");
        replicaSets.put("onc", new Rec("alice", "c"));
        call(get("/api/v1/replicaSet/onc", r -> { }));
        assertThat(sent).isEmpty();

        unreachable = new ConnectException("refused");
        call(get("/api/v1/replicaSet/foo", r -> { }));
        unreachable = null;
        answer = new Forwarder.Answer(ErrorCode.NOT_THIS_NODE.status().value(), Map.of(),
                new ByteArrayInputStream("{\"code\":1094}".getBytes(StandardCharsets.UTF_8)));
        MockHttpServletResponse refused = call(get("/api/v1/replicaSet/foo", r -> { }));
        assertThat(refreshed).as("the view is brought up to date before the pipeline sends it again").containsExactly("foo");

        answer = new Forwarder.Answer(409, Map.of("Content-Type", List.of("application/json")),
                new ByteArrayInputStream("{\"code\":1008,\"msg\":\"busy\"}".getBytes(StandardCharsets.UTF_8)));
        MockHttpServletResponse busy = call(get("/api/v1/replicaSet/foo", r -> { }));

        assertThat(sent).hasSize(3);
        assertThat(ranThroughPipeline).hasSize(3);
        assertThat(refused.getContentAsString()).isEqualTo("pipeline");
        assertThat(busy.getStatus()).isEqualTo(409);
        assertThat(busy.getContentAsString()).as("another conflict is the owner's answer").isEqualTo("{\"code\":1008,\"msg\":\"busy\"}");
    }

    private MockHttpServletResponse call(MockHttpServletRequest request) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        shortcut.doFilter(request, response, pipeline());
        return response;
    }

    private static MockHttpServletRequest get(String uri, Consumer<MockHttpServletRequest> more) {
        return request("GET", uri, r -> {
            r.addHeader("Authorization", "Bearer alice-token");
            more.accept(r);
        });
    }

    private static MockHttpServletRequest request(String method, String uri, Consumer<MockHttpServletRequest> more) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, uri.replaceAll("\\?.*", ""));
        more.accept(request);
        return request;
    }

    private FilterChain pipeline() {
        return (request, response) -> {
            ranThroughPipeline.add(((MockHttpServletRequest) request).getRequestURI());
            response.getWriter().write("pipeline");
        };
    }

    private void node(String name, boolean ready) {
        NodeStatus s = new NodeStatus(name, "http://" + name + ":2378", "1", Instant.now(), ready, List.of(), 8, 8, 4, 4, 0, 0, 100, 100);
        store.commit(new Txn().put(keys.node(name), Json.write(s)));
        member(name);
    }

    private void member(String name) {
        store.commit(new Txn().put(keys.nodeMember(name), Json.write(new NodeMember(name, "http://" + name + ":2378", Instant.now(), false))));
    }

    /** The other nodes: records what was sent and answers what the test set. */
    private final class RecordingForwarder extends Forwarder {
        RecordingForwarder() {
            super(null, "a", null);
        }

        @Override
        public Answer send(String receiver, String advertise, String method, String pathAndQuery, String contentType, byte[] body, Caller caller,
                           String ifNoneMatch, java.time.Duration answerWithin) throws IOException {
            sent.add(advertise + " " + method + " " + pathAndQuery);
            sentAs.add(caller);
            if (ifNoneMatch != null) {
                conditions.add(ifNoneMatch);
            }
            assertThat(body).isEmpty();
            if (unreachable != null) {
                throw unreachable;
            }
            return answer;
        }
    }
}
