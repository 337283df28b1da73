package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.api.Caller;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterNodeCredentialTest {
    private static final byte[] BODY = "{\"gpuCount\":1}".getBytes(StandardCharsets.UTF_8);
    private final Clock now = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final InterNodeCredential a = new InterNodeCredential(store, new Keys("/p", "a"), null, now);

    private java.util.Optional<Caller> check(InterNodeCredential checker, Map<String, String> h, String method, String uri, byte[] body) {
        return checker.verify(method, uri, h.get(InterNodeCredential.NODE), h.get(InterNodeCredential.CALLER), h.get(InterNodeCredential.ADMIN),
                h.get(InterNodeCredential.TIME), h.get(InterNodeCredential.SIGNATURE), body);
    }

    @Test
    void aNodeOfTheSameClusterAcceptsTheSignedCallerAndNothingElse() {
        InterNodeCredential b = new InterNodeCredential(store, new Keys("/p", "b"), null, now);
        Map<String, String> headers = a.sign("PATCH", "/api/v1/replicaSet/foo?x=1", Caller.tenant("alice"), "a", BODY);

        assertThat(check(b, headers, "PATCH", "/api/v1/replicaSet/foo?x=1", BODY)).contains(Caller.tenant("alice"));
        assertThat(headers.values()).noneMatch(v -> v.contains("Bearer"));
        // another body, path or method, or a caller rewritten to the admin: refused
        assertThat(check(b, headers, "PATCH", "/api/v1/replicaSet/foo?x=1", "{\"gpuCount\":8}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(check(b, headers, "PATCH", "/api/v1/replicaSet/bar?x=1", BODY)).isEmpty();
        assertThat(check(b, headers, "DELETE", "/api/v1/replicaSet/foo?x=1", BODY)).isEmpty();
        Map<String, String> forged = new java.util.HashMap<>(headers);
        forged.put(InterNodeCredential.ADMIN, "true");
        assertThat(check(b, forged, "PATCH", "/api/v1/replicaSet/foo?x=1", BODY)).isEmpty();
    }

    @Test
    void theAdminStaysTheAdmin() {
        Map<String, String> headers = a.sign("GET", "/api/v1/replicaSet/foo", Caller.ADMIN, "a", new byte[0]);
        assertThat(check(a, headers, "GET", "/api/v1/replicaSet/foo", new byte[0])).contains(Caller.ADMIN);
    }

    @Test
    void aSignatureOlderThanAMinuteOrFromAnotherSecretIsRefused() {
        Map<String, String> headers = a.sign("GET", "/api/v1/replicaSet/foo", Caller.ADMIN, "a", new byte[0]);
        InterNodeCredential later = new InterNodeCredential(store, new Keys("/p", "b"), null, Clock.offset(now, Duration.ofSeconds(61)));
        InterNodeCredential stranger = new InterNodeCredential(new InMemoryKeyValueStore(), new Keys("/p", "b"), null, now);
        InterNodeCredential configured = new InterNodeCredential(store, new Keys("/p", "b"), "operator-secret", now);

        assertThat(check(later, headers, "GET", "/api/v1/replicaSet/foo", new byte[0])).isEmpty();
        assertThat(check(stranger, headers, "GET", "/api/v1/replicaSet/foo", new byte[0])).isEmpty();
        assertThat(check(configured, headers, "GET", "/api/v1/replicaSet/foo", new byte[0])).isEmpty();
    }

    @Test
    void theGeneratedSecretIsWrittenOnceAndSharedThroughEtcd() {
        a.verify();
        String first = store.get(new Keys("/p", "a").clusterSecret()).orElseThrow().value();
        new InterNodeCredential(store, new Keys("/p", "b"), null, now).verify();
        assertThat(store.get(new Keys("/p", "a").clusterSecret()).orElseThrow().value()).isEqualTo(first);
        assertThat(java.util.Base64.getDecoder().decode(first)).hasSize(32);
    }
}
