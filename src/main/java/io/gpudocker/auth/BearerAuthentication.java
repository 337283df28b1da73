package io.gpudocker.auth;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * The pieces Spring Security's {@code AuthenticationFilter} is built from here: a converter that reads
 * {@code Authorization: Bearer <token>}, and a provider that turns a known token into its {@link Caller}
 * with the authorities the authorization rules check (ROLE_ADMIN, ROLE_USER).
 */
final class BearerAuthentication {
    private static final String PREFIX = "Bearer ";

    private BearerAuthentication() {}

    /** An unchecked bearer token, as read from the request. */
    static final class Presented extends AbstractAuthenticationToken {
        private final String token;

        Presented(String token) {
            super(List.of());
            this.token = token;
        }

        @Override
        public Object getCredentials() { return token; }

        @Override
        public Object getPrincipal() { return null; }
    }

    static AuthenticationConverter converter() {
        return (HttpServletRequest request) -> {
            String header = request.getHeader("Authorization");
            if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
                return null;
            }
            String token = header.substring(PREFIX.length()).trim();
            return token.isEmpty() ? null : new Presented(token);
        };
    }

    static AuthenticationProvider provider(Tokens tokens) {
        return new AuthenticationProvider() {
            @Override
            public Authentication authenticate(Authentication presented) {
                Optional<Caller> caller;
                try {
                    caller = tokens.authenticate((String) presented.getCredentials());
                } catch (ApiException unavailable) {
                    // etcd could not say: the caller hears that (503), not that its token is bad
                    throw new AuthenticationServiceException(unavailable.getMessage(), unavailable);
                }
                return authenticated(caller.orElseThrow(() -> new BadCredentialsException("the bearer token is unknown or revoked")));
            }

            @Override
            public boolean supports(Class<?> type) {
                return Presented.class.isAssignableFrom(type);
            }
        };
    }

    static Authentication authenticated(Caller caller) {
        List<SimpleGrantedAuthority> roles = caller.admin()
                ? List.of(new SimpleGrantedAuthority("ROLE_ADMIN"), new SimpleGrantedAuthority("ROLE_USER"))
                : List.of(new SimpleGrantedAuthority("ROLE_USER"));
        return UsernamePasswordAuthenticationToken.authenticated(caller, null, roles);
    }
}
