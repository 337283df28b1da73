package io.gpudocker.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.api.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ProxyCookiesTest {
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aCookieLetsItsCallerInToItsInstanceOnlyUntilItExpires() {
        ProxyCookies cookies = new ProxyCookies(Duration.ofMinutes(10), Clock.fixed(now, ZoneOffset.UTC));
        String cookie = cookies.issue("foo", Caller.tenant("alice"));
        assertThat(cookies.caller(cookie, "foo")).contains(Caller.tenant("alice"));
        assertThat(cookies.caller(cookie, "bar")).as("another instance").isEmpty();
        assertThat(cookies.caller(cookies.issue("foo", Caller.ADMIN), "foo")).contains(Caller.ADMIN);

        ProxyCookies later = new ProxyCookies(Duration.ofMinutes(10), Clock.fixed(now.plus(Duration.ofMinutes(11)), ZoneOffset.UTC));
        assertThat(later.caller(cookie, "foo")).as("another process's key").isEmpty();
    }

    @Test
    void anExpiredOrForgedCookieLetsNobodyIn() {
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        ProxyCookies cookies = new ProxyCookies(Duration.ofMinutes(10), clock);
        String cookie = cookies.issue("foo", Caller.tenant("alice"));
        String payload = cookie.substring(0, cookie.indexOf('.'));
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("foo|alice|a|9999999999".getBytes()) + cookie.substring(cookie.indexOf('.'));
        assertThat(cookies.caller(forged, "foo")).as("the payload changed, the signature kept").isEmpty();
        assertThat(cookies.caller(payload, "foo")).isEmpty();
        assertThat(cookies.caller(payload + ".", "foo")).isEmpty();
        assertThat(cookies.caller("%%%.x", "foo")).isEmpty();
        assertThat(cookies.caller(null, "foo")).isEmpty();
    }

    @Test
    void theUserNameNamesTheInstanceAndMaybeTheTenant() {
        assertThat(SshLogin.UserName.parse("foo")).contains(new SshLogin.UserName(java.util.Optional.empty(), "foo"));
        assertThat(SshLogin.UserName.parse("alice+foo")).contains(new SshLogin.UserName(java.util.Optional.of("alice"), "foo"));
        assertThat(SshLogin.UserName.parse("+foo")).isEmpty();
        assertThat(SshLogin.UserName.parse("alice+")).isEmpty();
        assertThat(SshLogin.UserName.parse("a+b+c")).isEmpty();
        assertThat(SshLogin.UserName.parse("")).isEmpty();
    }
}
