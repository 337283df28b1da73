package io.gpudocker.auth;

import java.time.Duration;
import java.util.List;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Which browser pages may call the API: only the operator's listed origins, with the methods and headers the API
 * uses. No cookies are involved (the token travels in a header), so credentials stay off. The entry {@code *}
 * answers every origin with that origin, as the original project did, for an operator who wants its behaviour.
 */
final class CorsPolicy {
    static final List<String> METHODS = List.of("GET", "POST", "PATCH", "DELETE");
    static final List<String> HEADERS = List.of("Authorization", "Content-Type", "If-None-Match");
    static final String ECHO_ANY = "*";

    private CorsPolicy() {}

    static CorsConfigurationSource forOrigins(List<String> allowedOrigins) {
        CorsConfiguration config = new CorsConfiguration();
        if (allowedOrigins.contains(ECHO_ANY)) {
            config.setAllowedOriginPatterns(List.of(ECHO_ANY));
        } else {
            config.setAllowedOrigins(allowedOrigins);
        }
        config.setAllowedMethods(METHODS);
        config.setAllowedHeaders(HEADERS);
        config.setExposedHeaders(List.of("ETag")); // so a page of another origin can ask "changed since?" too
        config.setAllowCredentials(false);
        config.setMaxAge(Duration.ofHours(1));
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", config);
        return source;
    }
}
