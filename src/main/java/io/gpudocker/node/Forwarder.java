package io.gpudocker.node;

import io.gpudocker.api.Caller;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a call on to the node that holds its object and relays the answer as it arrives (a followed log streams
 * through line by line). The caller is carried as a signed identity ({@link InterNodeCredential}), never as its token.
 */
public class Forwarder {
    /** Headers of the answer worth relaying; the rest are the hop's own. */
    private static final List<String> RELAYED = List.of("Content-Type", "Content-Disposition", "Retry-After", "WWW-Authenticate");

    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    private final HttpClient http;
    private final InterNodeCredential credential;
    private final String self;
    private final Set<String> plainPeersWarned = ConcurrentHashMap.newKeySet();

    public Forwarder(InterNodeCredential credential, String self, SSLContext tls) {
        // HTTP/1.1 kept alive: no h2c upgrade offer on every new connection, which the nodes' Tomcat would decline anyway
        // the client's own steps run on its selector thread rather than being handed to a pool thread each (the calling
        // thread blocks in send() anyway): on a busy host every hand-off between threads waits for a time slice
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER).executor(Runnable::run);
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
        this.credential = credential;
        this.self = self;
    }

    /** The answer of the other node: status, relayed headers and a body to stream. */
    public record Answer(int status, Map<String, List<String>> headers, InputStream body) implements AutoCloseable {
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).flatMap(e -> e.getValue().stream()).findFirst();
        }

        /** The same answer with its body already read. */
        public Answer withBody(byte[] bytes) { return new Answer(status, headers, new java.io.ByteArrayInputStream(bytes)); }

        @Override
        public void close() throws IOException { body.close(); }
    }

    /**
     * Sends {@code method pathAndQuery} with {@code body} to node {@code receiver} at {@code advertise} as {@code caller}.
     *
     * @throws IOException when the node cannot be reached (refused, reset, no answer to connect)
     */
    public Answer send(String receiver, String advertise, String method, String pathAndQuery, String contentType, byte[] body, Caller caller) throws IOException {
        warnIfPlain(receiver, advertise);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(advertise + pathAndQuery))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            req.header("Content-Type", contentType);
        }
        credential.sign(method, pathAndQuery, caller, self, receiver, body).forEach(req::header);
        try {
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            return new Answer(r.statusCode(), r.headers().map(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while forwarding to " + advertise, e);
        }
    }

    /** Once per peer address: what a reader of the network between the nodes sees. */
    private void warnIfPlain(String receiver, String advertise) {
        if (advertise.startsWith("http://") && plainPeersWarned.add(advertise)) {
            log.warn("node {} is reached over plain HTTP ({}): the calls forwarded to it, with their callers' identities, bodies and answers, "
                    + "cross the network unencrypted; serve HTTPS on every node (--tls-cert/--tls-key, advertised as https://) and give "
                    + "gda.node.trust-store the CA that signed the nodes' certificates (docs/cluster.md)", receiver, advertise);
        }
    }

    /**
     * Why a node could not be reached, for the caller: a failed TLS handshake (a certificate the trust store does not
     * vouch for) is named as such. The call is never retried in plain text.
     */
    public static String unreachable(String advertise, IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return "refused over TLS at " + advertise + ": its certificate is not trusted by this node (gda.node.trust-store must hold the CA "
                        + "that signed it) or the TLS handshake failed";
            }
        }
        return "unreachable at " + advertise + " (" + e.getClass().getSimpleName() + ")";
    }

    /** Writes the answer out as it comes, flushing each chunk; stops (closing the other node's stream) when the client leaves. */
    public static void relay(Answer answer, jakarta.servlet.http.HttpServletResponse response) throws IOException {
        response.setStatus(answer.status());
        for (String name : RELAYED) {
            answer.header(name).ifPresent(v -> response.setHeader(name, v));
        }
        try (InputStream in = answer.body()) {
            OutputStream out = response.getOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (in.available() == 0) {
                    out.flush();
                }
            }
            out.flush();
        }
    }
}
