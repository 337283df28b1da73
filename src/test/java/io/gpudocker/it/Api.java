package io.gpudocker.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain HTTP client for the service's API, as any user's client would call it. */
public final class Api {
    public static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http;
    private final String base;
    private final String token;

    /** One answer: the HTTP status and the parsed envelope. */
    public record Reply(int status, JsonNode body) {
        public int code() { return body.path("code").asInt(); }

        public String msg() { return body.path("msg").asString(); }

        public JsonNode data() { return body.path("data"); }

        @Override
        public String toString() { return status + " " + body; }
    }

    /** Without a token: what an anonymous caller gets. */
    public Api(String base) {
        this(base, null);
    }

    /** Sends {@code Authorization: Bearer <token>} with every call. */
    public Api(String base, String token) {
        this(base, token, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** As {@link #Api(String, String)}, through {@code http} (e.g. one that trusts a test CA). */
    public Api(String base, String token, HttpClient http) {
        this.base = base;
        this.token = token;
        this.http = http;
    }

    /** The same service, called with another token (null: none). */
    public Api as(String otherToken) {
        return new Api(base, otherToken, http);
    }

    /** The same token, calling the service at {@code other}'s address (another node). */
    public Api at(Api other) {
        return new Api(other.base, token);
    }

    /** Adds this client's bearer token, if it has one, to a request being built. */
    public HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    public String base() { return base; }

    public String token() { return token; }

    public Reply get(String path) { return send("GET", path, null); }

    public Reply post(String path, Object body) { return send("POST", path, body); }

    public Reply patch(String path, Object body) { return send("PATCH", path, body); }

    public Reply delete(String path) { return send("DELETE", path, null); }

    public Reply put(String path, Object body) { return send("PUT", path, body); }

    public Reply sendRaw(String method, String path, String rawJson) {
        HttpRequest.Builder b = authorized(HttpRequest.newBuilder(URI.create(base + path))).timeout(Duration.ofMinutes(3))
                .header("Content-Type", "application/json")
                .method(method, rawJson == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(rawJson));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String text(String path) {
        try {
            return http.send(authorized(HttpRequest.newBuilder(URI.create(base + path))).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Reply send(String method, String path, Object body) {
        return sendRaw(method, path, body == null ? null : JSON.writeValueAsString(body));
    }
}
