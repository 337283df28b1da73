package io.gpudocker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.cors.CorsConfiguration;

class CorsPolicyTest {

    private static CorsConfiguration configFor(List<String> origins) {
        return CorsPolicy.forOrigins(origins).getCorsConfiguration(new MockHttpServletRequest("GET", "/api/v1/replicaSet"));
    }

    @Test
    void listedOriginsOnly() {
        CorsConfiguration config = configFor(List.of("https://console.lab.example"));
        assertThat(config.checkOrigin("https://console.lab.example")).isEqualTo("https://console.lab.example");
        assertThat(config.checkOrigin("https://evil.example")).isNull();
    }

    @Test
    void aStarEchoesEveryOriginAsTheOriginalProjectDid() {
        CorsConfiguration config = configFor(List.of("*"));
        assertThat(config.checkOrigin("https://anything.example")).isEqualTo("https://anything.example");
        assertThat(config.getAllowCredentials()).isFalse();
    }
}
