package io.gpudocker.access;

import io.gpudocker.api.Caller;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A forwarded connection ({@code ssh -L}) to an instance another node runs: the SSH library connects to a socket, so
 * the gateway gives it a one-time listener on this host's loopback, and joins the one connection it accepts to the
 * instance's port through the owner node (the port proxy's path, switched to a raw stream, {@link #PROTOCOL}).
 */
final class ForwardHop {
    private static final Logger log = LoggerFactory.getLogger(ForwardHop.class);
    static final String PROTOCOL = "gda-tcp";
    private static final int ACCEPT_TIMEOUT_MS = 10_000;

    private ForwardHop() {}

    /** Listens on loopback for the library's one connection; returns the port it listens on. */
    static int bridge(AccessHop hop, AccessHop.Peer peer, String replicaSet, int port, Caller caller) throws IOException {
        ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        listener.setSoTimeout(ACCEPT_TIMEOUT_MS);
        Thread t = new Thread(() -> {
            try (ServerSocket l = listener; Socket local = l.accept(); Socket remote = open(hop, peer, replicaSet, port, caller)) {
                InputStream fromRemote = remote.getInputStream();
                Thread up = new Thread(() -> pump(local, remote), "ssh-fwd-hop-up-" + replicaSet);
                up.setDaemon(true);
                up.start();
                pump(fromRemote, local.getOutputStream());
                up.join(1000);
            } catch (IOException | InterruptedException | RuntimeException e) {
                log.info("ssh: forward to port {} of instance {} through node {} ended: {}", port, replicaSet, peer.node(), e.getMessage());
            }
        }, "ssh-fwd-hop-" + replicaSet);
        t.setDaemon(true);
        t.start();
        return listener.getLocalPort();
    }

    private static void pump(Socket from, Socket to) {
        try {
            pump(from.getInputStream(), to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            log.debug("forward hop: {}", e.toString());
        }
    }

    private static void pump(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    /** A raw connection to {@code port} of the instance through its node; what follows the 101 is the port's own bytes. */
    private static Socket open(AccessHop hop, AccessHop.Peer peer, String replicaSet, int port, Caller caller) throws IOException {
        Socket socket = hop.connect(peer);
        try {
            socket.setTcpNoDelay(true);
            String uri = "/proxy/" + replicaSet + "/" + port + "/";
            StringBuilder head = new StringBuilder("GET ").append(uri).append(" HTTP/1.1\r\nHost: ")
                    .append(java.net.URI.create(peer.advertise()).getAuthority()).append("\r\n");
            hop.sign(peer, "GET", uri, caller).forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Connection: Upgrade\r\nUpgrade: ").append(PROTOCOL).append("\r\n\r\n");
            socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String status = line(in);
            while (!line(in).isEmpty()) {
                // the 101's headers
            }
            if (!status.startsWith("HTTP/1.1 101")) {
                throw new IOException("node " + peer.node() + " refused the forward: " + status);
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** One header line, read byte by byte: nothing of the port's own bytes after the head is taken. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0 || line.size() > 65536) {
                throw new IOException("the other node closed the connection mid-answer");
            }
            line.write(b);
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
