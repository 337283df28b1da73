package io.gpudocker.access;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.replicaset.SessionSlots;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP exchange passed to a port of an instance's container, streamed both ways as it comes (no body is held
 * whole): the request with the service's credentials taken out (the bearer token and the proxy cookie never reach the
 * app), the answer with its status and headers as the app gave them. An upgrade the app accepts (a WebSocket: a
 * JupyterLab kernel, a TensorBoard stream) becomes a raw byte stream both ways from its 101 on. An instance another
 * node runs is reached through that node ({@link AccessHop}). Each exchange holds one of the caller's proxy slots, and
 * is cut when nothing passes for the idle timeout.
 */
public class PortProxy {
    private static final Logger log = LoggerFactory.getLogger(PortProxy.class);
    /** Hop-by-hop headers (RFC 9110 §7.6.1) and the ones this side sets itself. */
    private static final Set<String> NOT_PASSED = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
            "transfer-encoding", "upgrade", "host", "content-length", "authorization");
    private static final int CONNECT_TIMEOUT_MS = 5000;

    private final InstanceAccess access;
    private final SessionSlots slots;
    private final AccessMeter meter;
    private final Duration idleTimeout;
    private final AccessHop hop;

    public PortProxy(InstanceAccess access, SessionSlots slots, AccessMeter meter, Duration idleTimeout, AccessHop hop) {
        this.access = access;
        this.slots = slots;
        this.meter = meter;
        this.idleTimeout = idleTimeout;
        this.hop = hop;
    }

    /** The caller a request another node carried here names (refused where its signature does not hold); empty for a client's own. */
    public Optional<Caller> carried(HttpServletRequest request) {
        return hop.carried(request);
    }

    /** Where the exchange goes: the container's port (its redirects rewritten under the prefix), or the owner node. */
    private record Upstream(Socket socket, String host, String path, String origin, Optional<AccessHop.Peer> peer) {
        boolean local() {
            return peer.isEmpty();
        }
    }

    /**
     * Passes the request to {@code port} of instance {@code name} at {@code path} (the part after {@code /proxy/name/port}).
     *
     * @param carried the request came from another node: it runs here, never sent on again
     */
    public void forward(String name, int port, String path, Caller caller, boolean carried, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        if (port < 1 || port > 65535) {
            throw ApiException.of(ErrorCode.PROXY_PORT_INVALID, "port %d is not from 1 to 65535", port);
        }
        Optional<AccessHop.Peer> owner = carried ? Optional.empty() : hop.owner(name);
        String address = null;
        if (owner.isEmpty()) {
            address = access.address(access.running(name, caller));
        } else if (!access.visible(name, caller)) {
            access.running(name, caller); // another tenant's instance: refused as every call naming it
        }
        SessionSlots.Slot slot = slots.acquire(caller);
        Socket socket = null;
        boolean handedOver = false;
        try {
            Upstream up;
            if (owner.isPresent()) {
                socket = connectTo(owner.get(), name);
                up = new Upstream(socket, URI.create(owner.get().advertise()).getAuthority(), request.getRequestURI(), null, owner);
            } else {
                socket = new Socket();
                try {
                    socket.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MS);
                } catch (IOException e) {
                    throw ApiException.of(ErrorCode.PROXY_UNREACHABLE, "nothing answers on port %d of instance '%s' (%s)", port, name, e.getMessage());
                }
                up = new Upstream(socket, address + ":" + port, path.isEmpty() ? "/" : path, "http://" + address + ":" + port, Optional.empty());
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeout.toMillis()));
            socket.setTcpNoDelay(true);
            String prefix = "/proxy/" + name + "/" + port;
            if (carried && ForwardHop.PROTOCOL.equalsIgnoreCase(request.getHeader("Upgrade"))) {
                // another node's SSH gateway forwards a connection (ssh -L): the port's own bytes, no HTTP to the app
                response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
                response.setHeader("Upgrade", ForwardHop.PROTOCOL);
                response.setHeader("Connection", "Upgrade");
                upgrade(request).attach(socket, socket.getInputStream(), slot, idleTimeout, n -> { }, prefix);
                handedOver = true;
                return;
            }
            String tenant = up.local() ? caller.tenantName() : null;
            boolean upgrade = upgradeAsked(request);
            sendRequest(up, request, prefix, tenant, upgrade, caller);
            handedOver = relayResponse(up, request, response, prefix, tenant, upgrade, slot);
        } finally {
            if (!handedOver) {
                if (socket != null) {
                    socket.close();
                }
                slot.close();
            }
        }
    }

    private Socket connectTo(AccessHop.Peer peer, String name) {
        try {
            return hop.connect(peer);
        } catch (IOException e) {
            throw ApiException.of(ErrorCode.NODE_DOWN, "instance '%s' runs on node '%s', which cannot be reached (%s)", name, peer.node(), e.getMessage());
        }
    }

    /** A client asking to switch protocols (a WebSocket): {@code Connection: upgrade} and an {@code Upgrade} header. */
    private static boolean upgradeAsked(HttpServletRequest request) {
        String connection = request.getHeader("Connection");
        return request.getHeader("Upgrade") != null && connection != null && connection.toLowerCase(Locale.ROOT).contains("upgrade");
    }

    private void sendRequest(Upstream up, HttpServletRequest request, String prefix, String tenant, boolean upgrade, Caller caller) throws IOException {
        OutputStream out = new BufferedOutputStream(up.socket().getOutputStream(), 16 * 1024);
        StringBuilder head = new StringBuilder();
        String query = request.getQueryString();
        String target = up.path() + (query == null ? "" : "?" + query);
        head.append(request.getMethod()).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(up.host()).append("\r\n");
        for (String header : Collections.list(request.getHeaderNames())) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (NOT_PASSED.contains(lower) || lower.startsWith("x-forwarded-") || lower.startsWith("x-gda-")) {
                continue;
            }
            for (String value : Collections.list(request.getHeaders(header))) {
                if (lower.equals("cookie")) {
                    value = withoutProxyCookie(value);
                    if (value.isEmpty()) {
                        continue;
                    }
                }
                head.append(header).append(": ").append(value).append("\r\n");
            }
        }
        up.peer().ifPresent(peer -> hop.sign(peer, request.getMethod(), target, caller)
                .forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n")));
        head.append("X-Forwarded-Prefix: ").append(prefix).append("\r\n");
        head.append("X-Forwarded-Proto: ").append(request.getScheme()).append("\r\n");
        head.append("X-Forwarded-Host: ").append(request.getServerName()).append(':').append(request.getServerPort()).append("\r\n");
        if (upgrade) {
            head.append("Connection: Upgrade\r\nUpgrade: ").append(request.getHeader("Upgrade")).append("\r\n");
        } else {
            head.append("Connection: close\r\n");
        }
        long length = request.getContentLengthLong();
        boolean chunked = length < 0 && request.getHeader("Transfer-Encoding") != null;
        if (length >= 0) {
            head.append("Content-Length: ").append(length).append("\r\n");
        } else if (chunked) {
            head.append("Transfer-Encoding: chunked\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (length > 0 || chunked) {
            InputStream body = request.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = body.read(buffer)) >= 0; ) {
                if (n == 0) {
                    continue;
                }
                if (chunked) {
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write(buffer, 0, n);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                count(tenant, n);
            }
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        out.flush();
    }

    private void count(String tenant, long n) {
        // an exchange carried to the owner node is counted there, once
        if (tenant != null) {
            meter.add(tenant, "proxy", n);
        }
    }

    /** @return whether the exchange became a tunnel, which now holds the socket and the slot */
    private boolean relayResponse(Upstream up, HttpServletRequest request, HttpServletResponse response, String prefix, String tenant, boolean upgrade,
                                  SessionSlots.Slot slot) throws IOException {
        InputStream down = new BufferedInputStream(up.socket().getInputStream(), 64 * 1024);
        String status = line(down);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw ApiException.of(ErrorCode.PROXY_UNREACHABLE, "the app did not answer in HTTP (it said '%s')", status.length() > 60 ? status.substring(0, 60) : status);
        }
        int code = Integer.parseInt(parts[1]);
        boolean switching = upgrade && code == 101;
        boolean chunked = false;
        long length = -1;
        response.setStatus(code);
        for (String header = line(down); !header.isEmpty(); header = line(down)) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            String lower = name.toLowerCase(Locale.ROOT);
            if (switching && (lower.equals("upgrade") || lower.equals("connection"))) {
                response.setHeader(name, value);
            } else if (lower.equals("transfer-encoding")) {
                chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
            } else if (lower.equals("content-length")) {
                length = Long.parseLong(value);
                response.setContentLengthLong(length);
            } else if (up.local() && lower.equals("location") && value.startsWith(up.origin())) {
                // a redirect to the app's own address means the same place through the proxy
                response.addHeader(name, prefix + value.substring(up.origin().length()));
            } else if (up.local() && lower.equals("location") && value.startsWith("/") && !value.startsWith("//") && !value.startsWith(prefix + "/")) {
                response.addHeader(name, prefix + value);
            } else if (!NOT_PASSED.contains(lower)) {
                response.addHeader(name, value);
            }
        }
        if (switching) {
            upgrade(request).attach(up.socket(), down, slot, idleTimeout, n -> count(tenant, n), prefix);
            log.debug("proxy: {} switched to {}", prefix, request.getHeader("Upgrade"));
            return true;
        }
        if (request.getMethod().equals("HEAD") || code == 204 || code == 304 || code / 100 == 1) {
            return false;
        }
        OutputStream out = tenant == null ? response.getOutputStream() : meter.counting(response.getOutputStream(), tenant, "proxy");
        if (chunked) {
            copyChunks(down, out);
        } else {
            copy(down, out, length);
        }
        out.flush();
        return false;
    }

    private static ProxyTunnel upgrade(HttpServletRequest request) throws IOException {
        try {
            return request.upgrade(ProxyTunnel.class);
        } catch (jakarta.servlet.ServletException e) {
            throw new IOException("the server could not switch the connection's protocol: " + e.getMessage(), e);
        }
    }

    private static void copyChunks(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String size = line(in);
            int semicolon = size.indexOf(';');
            long n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
                    // trailers are dropped: the servlet answer has none to carry them
                }
                return;
            }
            copy(in, out, n);
            line(in);
        }
    }

    /**
     * Copies {@code length} bytes (all until the end where negative), each piece as it arrives: a read that did not fill
     * the buffer took all there was, so what was written goes to the client now rather than when more comes (an
     * event stream's line, a long poll's answer). Large pieces: a download's bytes in few reads and writes.
     */
    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[256 * 1024];
        long left = length;
        while (length < 0 || left > 0) {
            int want = length < 0 ? buffer.length : (int) Math.min(buffer.length, left);
            int n = in.read(buffer, 0, want);
            if (n < 0) {
                if (length < 0) {
                    return;
                }
                throw new EOFException("the app ended its answer " + left + " bytes short");
            }
            out.write(buffer, 0, n);
            if (n < want) {
                out.flush();
            }
            left -= n;
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new EOFException("the app closed the connection mid-answer");
            }
            if (line.size() > 65536) {
                throw new IOException("a header line of the app's answer is too long");
            }
            line.write(b);
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static String withoutProxyCookie(String header) {
        StringBuilder kept = new StringBuilder();
        for (String cookie : header.split(";")) {
            if (!cookie.trim().startsWith(ProxyCookies.NAME + "=")) {
                kept.append(kept.isEmpty() ? "" : "; ").append(cookie.trim());
            }
        }
        return kept.toString();
    }
}
