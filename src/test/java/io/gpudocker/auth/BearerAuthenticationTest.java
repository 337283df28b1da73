package io.gpudocker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.BearerCallers;
import io.gpudocker.api.Caller;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;

/** A token checked earlier in the same call is taken as checked, and only for that very token. */
class BearerAuthenticationTest {
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Tokens tokens = new Tokens(new TokenRepository(store, new Keys("/p", "a")), "the-admin-token");
    private final AuthenticationProvider provider = BearerAuthentication.provider(tokens);

    @Test
    void theTokenIsCheckedAgainstEtcdWhenNoEarlierStepDid() {
        assertThat(authenticate(request("the-admin-token")).getPrincipal()).isEqualTo(Caller.ADMIN);
        assertThatThrownBy(() -> authenticate(request("unknown"))).isInstanceOf(BadCredentialsException.class);
    }

    @Test
    void anEarlierCheckOfTheSameTokenIsUsedAndOfAnotherIgnored() {
        MockHttpServletRequest same = request("tenant-token");
        same.setAttribute(BearerCallers.CHECKED, new BearerCallers.Checked("tenant-token", Optional.of(Caller.tenant("alice"))));
        MockHttpServletRequest revokedSince = request("tenant-token");
        revokedSince.setAttribute(BearerCallers.CHECKED, new BearerCallers.Checked("tenant-token", Optional.empty()));
        MockHttpServletRequest other = request("unknown");
        other.setAttribute(BearerCallers.CHECKED, new BearerCallers.Checked("tenant-token", Optional.of(Caller.tenant("alice"))));

        assertThat(authenticate(same).getPrincipal()).isEqualTo(Caller.tenant("alice"));
        assertThatThrownBy(() -> authenticate(revokedSince)).isInstanceOf(BadCredentialsException.class);
        assertThatThrownBy(() -> authenticate(other)).as("a check of another token counts for nothing").isInstanceOf(BadCredentialsException.class);
    }

    private Authentication authenticate(MockHttpServletRequest request) {
        return provider.authenticate(BearerAuthentication.converter().convert(request));
    }

    private static MockHttpServletRequest request(String token) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/replicaSet");
        request.addHeader("Authorization", "Bearer " + token);
        return request;
    }
}
