package io.gpudocker.access;

import io.gpudocker.api.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.Socket;
import java.util.Map;
import java.util.Optional;

/**
 * The way to an instance another node of the cluster runs: a proxied request or an SSH session that arrives at a node
 * that does not run the instance is carried to the node that does, as its caller, signed with the cluster's secret
 * (never with the caller's token). A single node has no other node: {@link #NONE}.
 */
public interface AccessHop {
    /** Another node: its name, and its base address as it advertises itself ({@code http(s)://host:port}). */
    record Peer(String node, String advertise) {}

    /** Where the instance is run when that is not this node; empty when here, or unknown. */
    Optional<Peer> owner(String replicaSet);

    /** A connection to the peer's HTTP port (TLS where it advertises https). */
    Socket connect(Peer peer) throws IOException;

    /** The headers that carry {@code caller} to {@code peer} for a request of {@code method} on {@code uri}. */
    Map<String, String> sign(Peer peer, String method, String uri, Caller caller);

    /**
     * The caller a request carried from another node names, if its signature holds, names this node, is fresh and was
     * not seen before; empty when the request carries no such headers.
     *
     * @throws io.gpudocker.api.ApiException (401) where it carries them and they do not hold
     */
    Optional<Caller> carried(HttpServletRequest request);

    AccessHop NONE = new AccessHop() {
        @Override
        public Optional<Peer> owner(String replicaSet) { return Optional.empty(); }

        @Override
        public Socket connect(Peer peer) throws IOException { throw new IOException("no other node"); }

        @Override
        public Map<String, String> sign(Peer peer, String method, String uri, Caller caller) { return Map.of(); }

        @Override
        public Optional<Caller> carried(HttpServletRequest request) { return Optional.empty(); }
    };
}
