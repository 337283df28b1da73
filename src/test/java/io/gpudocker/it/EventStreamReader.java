package io.gpudocker.it;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/** A Server-Sent Events client as a browser's EventSource reads: each event's id and data, as they arrive. */
final class EventStreamReader implements AutoCloseable {
    record Received(long id, JsonNode data) {
        String type() { return data.path("type").asString(); }

        String instance() { return data.path("instance").asString(); }
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final HttpResponse<InputStream> response;
    private final Thread reader;

    private EventStreamReader(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens {@code path} (under the API's base) with the caller's token and, if given, a Last-Event-ID. */
    static EventStreamReader open(Api api, String path, String lastEventId) throws Exception {
        HttpRequest.Builder req = api.authorized(HttpRequest.newBuilder(URI.create(api.base() + path)).header("Accept", "text/event-stream"));
        if (lastEventId != null) {
            req.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(req.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            throw new IllegalStateException("events: " + r.statusCode() + " " + body);
        }
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            throw new IllegalStateException("events: content type " + r.headers().firstValue("Content-Type"));
        }
        return new EventStreamReader(r);
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            StringBuilder data = new StringBuilder();
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        received.add(new Received(Long.parseLong(id), Api.JSON.readTree(data.toString())));
                    }
                    id = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
        } catch (Exception e) {
            // closed
        }
    }

    /** What arrived so far that {@code which} accepts, in arrival order. */
    List<Received> received(Predicate<Received> which) {
        return new ArrayList<>(received.stream().filter(which).toList());
    }

    /** Waits until {@code count} events {@code which} accepts arrived; those, in arrival order. */
    List<Received> await(Predicate<Received> which, int count, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            List<Received> found = received(which);
            if (found.size() >= count) {
                return found;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("only " + received(which) + " of " + count + " events within " + limit + "; all: " + received);
    }

    @Override
    public void close() throws Exception {
        response.body().close();
        reader.interrupt();
    }
}
