package io.gpudocker.node;

import io.gpudocker.access.AccessHop;
import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.Owned;
import io.gpudocker.api.RunsOn.Where;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries a proxied request or an SSH session to the node that runs its instance, as the terminal is relayed: the
 * caller signed with the cluster's secret ({@link InterNodeCredential}) over the method and URI, naming the receiving
 * node, fresh and used once. The bodies stream and are not part of the signature: the nodes' own link carries them
 * (TLS where the nodes serve HTTPS).
 */
public class NodeAccessHop implements AccessHop {
    private static final Logger log = LoggerFactory.getLogger(NodeAccessHop.class);
    private static final Duration LIVENESS_MAX_AGE = Duration.ofSeconds(1);
    private static final int CONNECT_TIMEOUT_MS = 5000;
    private static final byte[] NO_BODY = new byte[0];

    private final NodeDirectory directory;
    private final OwnedRecords records;
    private final InterNodeCredential credential;
    private final SSLContext tls;

    NodeAccessHop(NodeDirectory directory, OwnedRecords records, InterNodeCredential credential, SSLContext tls) {
        this.directory = directory;
        this.records = records;
        this.credential = credential;
        this.tls = tls;
    }

    @Override
    public Optional<Peer> owner(String replicaSet) {
        Optional<String> node = records.refresh(Where.REPLICASET_OWNER, replicaSet).map(Owned::node).filter(n -> !n.equals(directory.self()));
        if (node.isEmpty()) {
            return Optional.empty();
        }
        NodeStatus target = directory.recentlyLive(node.get(), LIVENESS_MAX_AGE)
                .orElseThrow(() -> NodeUnavailable.of("replicaset", replicaSet, node.get(), "down"));
        return Optional.of(new Peer(target.name(), target.advertise()));
    }

    @Override
    public Socket connect(Peer peer) throws IOException {
        URI uri = URI.create(peer.advertise());
        boolean secure = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(uri.getHost(), port), CONNECT_TIMEOUT_MS);
            if (!secure) {
                return plain;
            }
            SSLContext ctx = tls != null ? tls : SSLContext.getDefault();
            SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(plain, uri.getHost(), port, true);
            var params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(params);
            socket.startHandshake();
            return socket;
        } catch (IOException | java.security.GeneralSecurityException e) {
            plain.close();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    @Override
    public Map<String, String> sign(Peer peer, String method, String uri, Caller caller) {
        return credential.sign(method, uri, caller, directory.self(), peer.node(), NO_BODY);
    }

    @Override
    public Optional<Caller> carried(HttpServletRequest request) {
        if (request.getHeader(InterNodeCredential.SIGNATURE) == null) {
            return Optional.empty();
        }
        String query = request.getQueryString();
        String uri = request.getRequestURI() + (query == null ? "" : "?" + query);
        InterNodeCredential.Verdict verdict = credential.verify(request.getMethod(), uri, request::getHeader, NO_BODY);
        if (!verdict.accepted()) {
            log.warn("rejected {} {} carried by '{}': {}", request.getMethod(), request.getRequestURI(), request.getHeader(InterNodeCredential.NODE),
                    verdict.refusal());
            throw ApiException.of(ErrorCode.UNAUTHENTICATED, "%s", verdict.refusal());
        }
        return Optional.of(verdict.caller());
    }
}
