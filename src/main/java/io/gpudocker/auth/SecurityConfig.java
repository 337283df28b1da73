package io.gpudocker.auth;

import io.gpudocker.api.Caller;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.node.InterNodeCredential;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;

/**
 * Who may call what. Every {@code /api/v1/**} call needs a bearer token; tokens and actuator details are the
 * admin's; {@code /ping}, health status, the API document and the console's static files are open (the
 * console calls the API with the token the user pastes). Stateless: no session, no cookie,
 * so no CSRF to guard.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfig {

    @Bean
    TokenRepository tokenRepository(KeyValueStore store, Keys keys) {
        return new TokenRepository(store, keys);
    }

    @Bean
    Tokens tokens(TokenRepository repo, GdaProperties props) {
        return new Tokens(repo, AdminToken.configured(props.auth().adminToken(), props.auth().adminTokenFile()));
    }

    /** After the start-up reconcile (etcd answers by then): the admin token exists somewhere. */
    @Bean
    ApplicationRunner adminTokenAtStart(Tokens tokens, TokenRepository repo, GdaProperties props) {
        return args -> {
            if (props.auth().enabled() && !tokens.adminTokenConfigured()) {
                AdminToken.ensureGenerated(repo, Path.of(props.stateDir()));
            }
        };
    }

    /**
     * No observation of each security filter, authentication and authorisation: with the metrics registry present every
     * one of them was timed on every call (a forwarded call twice, once on each node), which cost more than the filters'
     * own work. The call as a whole is still timed ({@code http.server.requests}, {@code gda.operations}).
     */
    @Bean
    SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /** Firewall refusals answer in the envelope too (picked up by Spring Security's filter chain proxy). */
    @Bean
    RequestRejectedHandler requestRejectedHandler() {
        return EnvelopeResponses.rejected();
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, Tokens tokens, GdaProperties props, Environment env, InterNodeCredential nodes) throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .exceptionHandling(e -> e.authenticationEntryPoint(EnvelopeResponses.unauthenticated())
                        .accessDeniedHandler(EnvelopeResponses.forbidden()))
                .headers(h -> h.addHeaderWriter(ConsoleHeaders.contentSecurityPolicy())
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)));
        List<String> origins = props.cors().allowedOrigins();
        if (origins.isEmpty()) {
            http.cors(AbstractHttpConfigurer::disable);
        } else {
            // before authentication: a browser's preflight carries no token and is answered here
            http.cors(c -> c.configurationSource(CorsPolicy.forOrigins(origins)));
        }
        // a call another node forwarded carries its caller signed, not a token
        http.addFilterBefore(new ForwardedCaller(nodes), AnonymousAuthenticationFilter.class);
        if (!props.auth().enabled()) {
            requireLoopback(env.getProperty("server.address", "0.0.0.0"));
            return http.anonymous(a -> a.principal(Caller.ADMIN)
                            .authorities(List.of(new SimpleGrantedAuthority("ROLE_ADMIN"), new SimpleGrantedAuthority("ROLE_USER"))))
                    .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                    .build();
        }
        AuthenticationFilter bearer = new AuthenticationFilter(new ProviderManager(BearerAuthentication.provider(tokens)), BearerAuthentication.converter());
        bearer.setSuccessHandler((request, response, authentication) -> { });
        bearer.setFailureHandler(EnvelopeResponses.failedAuthentication());
        bearer.setSecurityContextRepository(new RequestAttributeSecurityContextRepository());
        return http.addFilterBefore(bearer, AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/ping", "/error").permitAll()
                        // the console's files carry no data; the terminal's socket is authorised by its ticket
                        .requestMatchers("/", "/index.html", "/console/**", "/webjars/**", "/favicon.ico").permitAll()
                        .requestMatchers("/ws/terminal").permitAll()
                        .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**").permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers("/actuator/**").hasRole("ADMIN")
                        .requestMatchers("/api/v1/tokens", "/api/v1/tokens/**").hasRole("ADMIN")
                        // a tenant reads its own quota (the controller refuses another's); setting one and the list are the admin's
                        .requestMatchers(HttpMethod.GET, "/api/v1/tenants/*/quota").hasRole("USER")
                        .requestMatchers("/api/v1/tenants", "/api/v1/tenants/**").hasRole("ADMIN")
                        .requestMatchers(HttpMethod.PATCH, "/api/v1/nodes/**").hasRole("ADMIN")
                        .requestMatchers(HttpMethod.POST, "/api/v1/nodes/**").hasRole("ADMIN")
                        .requestMatchers(HttpMethod.DELETE, "/api/v1/nodes/**").hasRole("ADMIN")
                        .requestMatchers("/api/**").hasRole("USER")
                        .anyRequest().permitAll())
                .build();
    }

    /** --no-auth makes every caller the admin: only tolerable where nothing but this host can connect. */
    static void requireLoopback(String address) {
        try {
            if (!InetAddress.getByName(address).isLoopbackAddress()) {
                throw new IllegalStateException("--no-auth makes every caller the admin and is refused on " + address
                        + "; listen on a loopback address (-a 127.0.0.1:2378) or drop --no-auth");
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("--no-auth: cannot resolve the listen address " + address, e);
        }
    }
}
