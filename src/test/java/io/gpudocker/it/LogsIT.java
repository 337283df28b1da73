package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogsIT extends IntegrationTestBase {
    /** Prints a numbered line every half second, to stdout and (every fifth) to stderr. */
    static final List<String> TICKER = List.of("sh", "-c",
            "i=0; while true; do echo tick-$i; [ $((i % 5)) = 0 ] && echo err-$i >&2; i=$((i+1)); sleep 0.5; done");

    @Test
    void tailReturnsTheContainersOutput() {
        String name = name("logs");
        assertThat(api.post("/replicaSet", createBody(name, 0, TICKER, List.of())).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(api.text("/replicaSet/" + name + "/logs?tail=-1")).contains("tick-3"));

        // instances run with a TTY, so Docker hands back their lines ending in \r\n, as docker logs shows them
        List<String> all = api.text("/replicaSet/" + name + "/logs?tail=-1").lines().toList();
        assertThat(all).startsWith("tick-0", "err-0", "tick-1").contains("tick-3");
        List<String> tail = api.text("/replicaSet/" + name + "/logs?tail=2").lines().toList();
        assertThat(tail).hasSize(2).allMatch(l -> l.startsWith("tick-") || l.startsWith("err-"));
        assertThat(api.text("/replicaSet/" + name + "/logs?tail=-1&version=1").lines().toList()).startsWith("tick-0");

        assertThat(api.get("/replicaSet/" + name + "/logs?version=7").code()).isEqualTo(1037);
        assertThat(api.get("/replicaSet/nosuch" + name + "/logs").code()).isEqualTo(1016);
    }

    @Test
    void followStreamsNewLinesUntilTheClientLeaves() throws Exception {
        String name = name("follow");
        assertThat(api.post("/replicaSet", createBody(name, 0, TICKER, List.of())).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> api.text("/replicaSet/" + name + "/logs?tail=1").startsWith("tick-"));
        String lastSeen = api.text("/replicaSet/" + name + "/logs?tail=1").trim();
        int lastTick = Integer.parseInt(lastSeen.substring("tick-".length()));

        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = api.authorized(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/replicaSet/" + name + "/logs?tail=1&follow=true"))).build();
        // timed from the request on: a stream that hands lines over only when it ends would miss this bound
        long started = System.nanoTime();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        int newest = -1;
        // closing the body stream before its end cancels it: the client leaves mid-stream
        try (InputStream body = response.body();
             BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while (newest <= lastTick + 2 && (line = lines.readLine()) != null) {
                if (line.startsWith("tick-")) {
                    newest = Integer.parseInt(line.substring("tick-".length()).trim());
                }
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            }
        }
        assertThat(newest).as("a line printed after the request started arrived on the open stream").isGreaterThan(lastTick + 2);
        // the service is still answering after the client left mid-stream
        assertThat(api.get("/replicaSet/" + name).status()).isEqualTo(200);
    }
}
