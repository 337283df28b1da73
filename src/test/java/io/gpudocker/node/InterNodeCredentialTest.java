package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.Caller;
import io.gpudocker.recovery.StartRefusedException;
import io.gpudocker.store.Keys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterNodeCredentialTest {
    private static final byte[] BODY = "{\"gpuCount\":1}".getBytes(StandardCharsets.UTF_8);
    private static final String URI = "/api/v1/replicaSet/foo?x=1";
    private final MovableClock now = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private static final ClusterSecret SHARED = ClusterSecret.of(ClusterSecret.derive("it-admin-token-0123456789abcdef", "cluster-id"));
    private final InterNodeCredential a = new InterNodeCredential(SHARED, new Keys("/p", "a"), now);
    private final InterNodeCredential b = new InterNodeCredential(SHARED, new Keys("/p", "b"), now);

    @TempDir
    Path dir;

    private static Optional<Caller> check(InterNodeCredential checker, Map<String, String> h, String method, String uri, byte[] body) {
        return Optional.ofNullable(checker.verify(method, uri, h::get, body).caller());
    }

    private static String refusal(InterNodeCredential checker, Map<String, String> h) {
        return checker.verify("PATCH", URI, h::get, BODY).refusal();
    }

    private Map<String, String> toB(Caller caller) {
        return a.sign("PATCH", URI, caller, "a", "b", BODY);
    }

    @Test
    void aNodeOfTheSameClusterAcceptsTheSignedCallerAndNothingElse() {
        Map<String, String> headers = toB(Caller.tenant("alice"));
        assertThat(headers.values()).noneMatch(v -> v.contains("Bearer"));
        // another body, path or method, or a caller rewritten to the admin: refused (each on a fresh copy, so no nonce is spent)
        assertThat(check(b, toB(Caller.tenant("alice")), "PATCH", URI, "{\"gpuCount\":8}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(check(b, headers, "PATCH", "/api/v1/replicaSet/bar?x=1", BODY)).isEmpty();
        assertThat(check(b, headers, "DELETE", URI, BODY)).isEmpty();
        Map<String, String> forged = new HashMap<>(headers);
        forged.put(InterNodeCredential.ADMIN, "true");
        assertThat(check(b, forged, "PATCH", URI, BODY)).isEmpty();

        assertThat(check(b, headers, "PATCH", URI, BODY)).contains(Caller.tenant("alice"));
    }

    @Test
    void theAdminStaysTheAdmin() {
        Map<String, String> headers = a.sign("GET", "/api/v1/replicaSet/foo", Caller.ADMIN, "b", "a", new byte[0]);
        assertThat(check(a, headers, "GET", "/api/v1/replicaSet/foo", new byte[0])).contains(Caller.ADMIN);
    }

    @Test
    void aCapturedCallReplayedToTheSameNodeIsRefused() {
        Map<String, String> headers = toB(Caller.tenant("alice"));
        assertThat(check(b, headers, "PATCH", URI, BODY)).contains(Caller.tenant("alice"));

        now.advance(Duration.ofSeconds(1));
        assertThat(check(b, headers, "PATCH", URI, BODY)).isEmpty();
        assertThat(refusal(b, headers)).contains("replay");
        // the same call signed again is a new call, with its own nonce
        assertThat(check(b, toB(Caller.tenant("alice")), "PATCH", URI, BODY)).contains(Caller.tenant("alice"));
    }

    @Test
    void aCallSignedForOneNodeIsRefusedByAnother() {
        InterNodeCredential c = new InterNodeCredential(SHARED, new Keys("/p", "c"), now);
        Map<String, String> headers = toB(Caller.tenant("alice"));
        assertThat(check(c, headers, "PATCH", URI, BODY)).isEmpty();
        assertThat(refusal(c, headers)).contains("signed for node 'b'");
        // naming the other node in the header breaks the signature
        Map<String, String> redirected = new HashMap<>(headers);
        redirected.put(InterNodeCredential.RECEIVER, "c");
        assertThat(check(c, redirected, "PATCH", URI, BODY)).isEmpty();
        assertThat(refusal(c, redirected)).contains("does not hold");
        // refused elsewhere, still good once where it was meant to go
        assertThat(check(b, headers, "PATCH", URI, BODY)).contains(Caller.tenant("alice"));
    }

    @Test
    void aTamperedOrMissingNonceIsRefused() {
        Map<String, String> headers = toB(Caller.tenant("alice"));
        Map<String, String> tampered = new HashMap<>(headers);
        tampered.put(InterNodeCredential.NONCE, headers.get(InterNodeCredential.NONCE) + "x");
        assertThat(check(b, tampered, "PATCH", URI, BODY)).isEmpty();
        Map<String, String> without = new HashMap<>(headers);
        without.remove(InterNodeCredential.NONCE);
        assertThat(check(b, without, "PATCH", URI, BODY)).isEmpty();
        // a refused call spends no nonce: the real one still passes once
        assertThat(b.noncesHeld()).isZero();
        assertThat(check(b, headers, "PATCH", URI, BODY)).contains(Caller.tenant("alice"));
    }

    @Test
    void aSignatureOutsideTheClockSkewOrFromAnotherSecretIsRefused() {
        Map<String, String> headers = a.sign("GET", "/api/v1/replicaSet/foo", Caller.ADMIN, "a", "b", new byte[0]);
        InterNodeCredential later = new InterNodeCredential(SHARED, new Keys("/p", "b"),
                Clock.offset(now, InterNodeCredential.MAX_SKEW.plusSeconds(1)));
        InterNodeCredential stranger = new InterNodeCredential(ClusterSecret.of(ClusterSecret.derive("another-admin-token-0123456789", "cluster")), new Keys("/p", "b"), now);
        InterNodeCredential configured = new InterNodeCredential(ClusterSecret.of("operator-secret-0123456789abcdef0123".getBytes(StandardCharsets.UTF_8)), new Keys("/p", "b"), now);

        assertThat(check(later, headers, "GET", "/api/v1/replicaSet/foo", new byte[0])).isEmpty();
        assertThat(later.verify("GET", "/api/v1/replicaSet/foo", headers::get, new byte[0]).refusal()).contains("stale");
        assertThat(check(stranger, headers, "GET", "/api/v1/replicaSet/foo", new byte[0])).isEmpty();
        assertThat(check(configured, headers, "GET", "/api/v1/replicaSet/foo", new byte[0])).isEmpty();
    }

    @Test
    void seenNoncesExpireWithTheWindowAndStayBounded() {
        InterNodeCredential small = new InterNodeCredential(SHARED, new Keys("/p", "b"), now, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(check(small, toB(Caller.tenant("alice")), "PATCH", URI, BODY)).isPresent();
        }
        // full of nonces that could still be replayed: a fourth call waits rather than one of them being forgotten
        assertThat(check(small, toB(Caller.tenant("alice")), "PATCH", URI, BODY)).isEmpty();
        assertThat(small.noncesHeld()).isEqualTo(3);

        now.advance(InterNodeCredential.MAX_SKEW.multipliedBy(2).plusMillis(1));
        assertThat(small.noncesHeld()).isZero();
        assertThat(check(small, toB(Caller.tenant("alice")), "PATCH", URI, BODY)).isPresent();
        assertThat(small.noncesHeld()).isEqualTo(1);
    }

    @Test
    void aNonceIsRememberedForAsLongAsItsSignatureCouldPass() {
        // signed by a clock MAX_SKEW ahead: it passes here for twice MAX_SKEW, and its nonce is kept that long
        InterNodeCredential ahead = new InterNodeCredential(SHARED, new Keys("/p", "a"), Clock.offset(now, InterNodeCredential.MAX_SKEW));
        Map<String, String> headers = ahead.sign("PATCH", URI, Caller.tenant("alice"), "a", "b", BODY);
        assertThat(check(b, headers, "PATCH", URI, BODY)).isPresent();
        now.advance(InterNodeCredential.MAX_SKEW.multipliedBy(2).minusMillis(1));
        assertThat(check(b, headers, "PATCH", URI, BODY)).isEmpty();
        assertThat(refusal(b, headers)).contains("replay");
    }

    @Test
    void theKnownHashOfAnEmptyBodyIsItsSha256AndABodyIsNeverTakenForEmpty() throws Exception {
        assertThat(InterNodeCredential.bodyHash(new byte[0]))
                .isEqualTo(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(new byte[0])));
        // a call signed without a body does not pass with one, nor one signed with a body without it
        Map<String, String> read = a.sign("DELETE", URI, Caller.tenant("alice"), "a", "b", new byte[0]);
        assertThat(check(b, read, "DELETE", URI, BODY)).isEmpty();
        assertThat(check(b, toB(Caller.tenant("alice")), "PATCH", URI, new byte[0])).isEmpty();
        assertThat(check(b, read, "DELETE", URI, new byte[0])).contains(Caller.tenant("alice"));
    }

    @Test
    void callsSignedAndCheckedOnManyThreadsAtOnceAllHold() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<Optional<Caller>>> checks = new java.util.ArrayList<>();
            for (int i = 0; i < 400; i++) {
                Caller caller = Caller.tenant("t" + i);
                byte[] body = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                checks.add(pool.submit(() -> check(b, a.sign("POST", URI, caller, "a", "b", body), "POST", URI, body)));
            }
            for (int i = 0; i < checks.size(); i++) {
                assertThat(checks.get(i).get()).contains(Caller.tenant("t" + i));
            }
        } finally {
            pool.shutdownNow();
        }
        // and the tag made from the same key stays what it is
        assertThat(a.tag("ticket", "x")).isEqualTo(b.tag("ticket", "x")).isNotEqualTo(a.tag("ticket", "y"));
    }

    @Test
    void aConfiguredSecretShorterThan32BytesRefusesTheStart() throws Exception {
        assertThatThrownBy(() -> InterNodeCredential.configured("operator-secret", null))
                .isInstanceOf(StartRefusedException.class).hasMessageContaining("shorter than 32 bytes");
        Path file = Files.writeString(dir.resolve("secret"), "x".repeat(31) + "\n");
        assertThatThrownBy(() -> InterNodeCredential.configured(null, file.toString()))
                .isInstanceOf(StartRefusedException.class).hasMessageContaining(file.toString());
        assertThat(InterNodeCredential.configured("y".repeat(32), null)).hasSize(32);
        Files.writeString(file, "z".repeat(40) + "\n");
        assertThat(InterNodeCredential.configured(null, file.toString())).hasSize(40);
        assertThat(InterNodeCredential.configured(null, null)).isNull();
    }

    /** A clock the test moves on. */
    static final class MovableClock extends Clock {
        private Instant instant;

        MovableClock(Instant start) { this.instant = start; }

        void advance(Duration d) { instant = instant.plus(d); }

        @Override
        public ZoneId getZone() { return ZoneOffset.UTC; }

        @Override
        public Clock withZone(ZoneId zone) { return this; }

        @Override
        public Instant instant() { return instant; }
    }
}
