package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** What a call sent on to another node is refused for before it leaves. */
class CallForwardingTest {
    @Test
    void aQueryWithAMalformedEscapeIsRefusedAsTheCallersMistakeNotAsAFailureHere() throws Exception {
        CallForwarding forwarding = new CallForwarding(new NodeDirectory(new InMemoryKeyValueStore(), new Keys("/p", "a")), new Forwarder(null, "a", null));
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/replicaSet/foo/logs");
        request.setQueryString("tail=%zz");
        NodeStatus b = new NodeStatus("b", "http://127.0.0.1:9", "1", Instant.now(), true, List.of(), 8, 8, 4, 4, 0, 0, 100, 100);

        assertThatThrownBy(() -> forwarding.send(b, CachedBodyRequest.of(request), Caller.ADMIN, "replicaset", "foo"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMS));
    }
}
