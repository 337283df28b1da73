package io.gpudocker.node;

import io.gpudocker.api.Caller;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a call on to the node that holds its object and relays the answer as it arrives (a followed log streams
 * through line by line). The caller is carried as a signed identity ({@link InterNodeCredential}), never as its token.
 *
 * <p>The call is written and its answer read on the calling thread, over a connection kept alive between calls: a
 * forwarded read is one more request on the path of a call, and on a busy host every hand-off of it between threads
 * (an HTTP client's selector thread, its pool) waits for a time slice.
 */
public class Forwarder {
    /**
     * Headers of the answer worth relaying; the rest are the hop's own. The owner's {@code ETag} is the digest of the very
     * bytes relayed, so the node the call arrived at relays it rather than digesting the answer again.
     */
    private static final List<String> RELAYED = List.of("Content-Type", "Content-Disposition", "Retry-After", "WWW-Authenticate", "ETag");
    /** The caller's conditional request: the owner, which tags its answer, answers 304 itself and sends no body over the hop. */
    public static final String IF_NONE_MATCH = "If-None-Match";
    /** A kept-alive connection idle longer than this is checked before it carries a call (the other node may have closed it). */
    private static final TimeValue CHECK_AFTER_IDLE = TimeValue.ofSeconds(1);
    /** Connections kept open at once: a followed log holds one as long as it is followed. */
    private static final int MAX_CONNECTIONS_PER_NODE = 1_000;

    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    private final CloseableHttpClient http;
    private final InterNodeCredential credential;
    private final String self;
    private final Set<String> plainPeersWarned = ConcurrentHashMap.newKeySet();

    public Forwarder(InterNodeCredential credential, String self, SSLContext tls) {
        PoolingHttpClientConnectionManagerBuilder connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(MAX_CONNECTIONS_PER_NODE)
                .setMaxConnTotal(MAX_CONNECTIONS_PER_NODE * 4)
                .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
                // no read timeout: an answer may stream for as long as its caller follows it
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2)).setSocketTimeout(Timeout.DISABLED)
                        .setValidateAfterInactivity(CHECK_AFTER_IDLE).build());
        if (tls != null) {
            connections.setTlsSocketStrategy(new DefaultClientTlsStrategy(tls));
        }
        this.http = HttpClients.custom().setConnectionManager(connections.build())
                .disableRedirectHandling().disableCookieManagement().disableAuthCaching().disableContentCompression()
                .setRetryStrategy(new OnceWhenClosedUnanswered())
                .build();
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
        return send(receiver, advertise, method, pathAndQuery, contentType, body, caller, null, null);
    }

    /**
     * The same, asked on the condition {@code ifNoneMatch} (the caller's {@code If-None-Match}, null if none), and given
     * up (an IOException) when the answer has not begun within {@code answerWithin} (null: waited for as long as it
     * takes, as a followed log or a long update is): for a question a node asks in the course of its own answer, which
     * a node that stopped answering must not hold up.
     */
    public Answer send(String receiver, String advertise, String method, String pathAndQuery, String contentType, byte[] body, Caller caller,
                       String ifNoneMatch, Duration answerWithin) throws IOException {
        warnIfPlain(receiver, advertise);
        HttpUriRequestBase req = new HttpUriRequestBase(method, java.net.URI.create(advertise + pathAndQuery));
        if (answerWithin != null) {
            req.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(answerWithin)).build());
        }
        if (body.length > 0) {
            req.setEntity(new ByteArrayEntity(body, null));
        }
        if (contentType != null) {
            req.setHeader("Content-Type", contentType);
        }
        if (ifNoneMatch != null) {
            req.setHeader(IF_NONE_MATCH, ifNoneMatch);
        }
        credential.sign(method, pathAndQuery, caller, self, receiver, body).forEach(req::setHeader);
        CloseableHttpResponse r = http.execute(req);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Header h : r.getHeaders()) {
            headers.computeIfAbsent(h.getName(), k -> new ArrayList<>(1)).add(h.getValue());
        }
        HttpEntity entity = r.getEntity();
        InputStream in = entity == null ? InputStream.nullInputStream() : entity.getContent();
        return new Answer(r.getCode(), headers, new Released(in == null ? InputStream.nullInputStream() : in, req, r));
    }

    /**
     * The answer's body: read to its end, closing it hands the connection back for the next call; closed before that
     * (the client left a followed log), the connection is dropped rather than read to an end that may never come.
     */
    private static final class Released extends FilterInputStream {
        private final HttpUriRequestBase request;
        private final CloseableHttpResponse response;
        private boolean ended;
        private boolean closed;

        Released(InputStream in, HttpUriRequestBase request, CloseableHttpResponse response) {
            super(in);
            this.request = request;
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            ended |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            ended |= n < 0;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (!ended) {
                request.cancel();
            }
            try {
                super.close();
            } catch (IOException e) {
                if (ended) {
                    throw e;
                }
            } finally {
                response.close();
            }
        }
    }

    /**
     * A call sent on a kept-alive connection the other node had closed meanwhile gets no answer at all: it is sent once
     * more on a new connection when it may run twice unharmed (its method is idempotent). No other failure, and no
     * answer (a 503 is the other node's to give), is retried.
     */
    private static final class OnceWhenClosedUnanswered implements HttpRequestRetryStrategy {
        @Override
        public boolean retryRequest(HttpRequest request, IOException exception, int execCount, HttpContext context) {
            return execCount <= 1 && exception instanceof NoHttpResponseException && Method.isIdempotent(request.getMethod());
        }

        @Override
        public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
            return false;
        }

        @Override
        public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
            return TimeValue.ZERO_MILLISECONDS;
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
        // the client's own subclass of a refused connection says no more than that
        String kind = e instanceof java.net.ConnectException ? "ConnectException" : e.getClass().getSimpleName();
        return "unreachable at " + advertise + " (" + kind + ")";
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
