package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The exposure settings as shipped: no CORS at all, bodies capped at 1 MiB. */
class ExposureDefaultsIT extends IntegrationTestBase {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void withNoAllowedOriginsNoCorsHeadersAreSent() throws Exception {
        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/replicaSet"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://console.example.com")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
        assertThat(preflight.statusCode()).isNotEqualTo(200);

        HttpResponse<String> call = http.send(api.authorized(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/replicaSet")))
                .header("Origin", "https://console.example.com").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(call.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
    }

    @Test
    void bodiesAreCappedAtOneMebibyte() {
        String padded = "{\"name\": \"" + "x".repeat(1024 * 1024) + "\"}";
        Api.Reply r = api.sendRaw("POST", "/volumes", padded);
        assertThat(r.status()).as(r.toString()).isEqualTo(413);
        assertThat(r.code()).isEqualTo(1064);
        assertThat(r.msg()).contains("at most 1048576");
    }
}
