package io.gpudocker.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectExecResponse;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code docker exec} whose stream this class attaches itself, on its own connection to the daemon: docker-java's
 * attach cannot half-close the connection, and without that the process never sees the end of its input
 * ({@code ssh host 'cat > file' < file} would hang). Reads and writes use the channel directly (not
 * {@code Channels.newInputStream}, whose reader would hold the lock a writer needs).
 */
final class DockerProcess implements ContainerProcess {
    private static final Logger log = LoggerFactory.getLogger(DockerProcess.class);

    private final DockerClient docker;
    private final String execId;
    private final boolean tty;
    private final SocketChannel socket;
    private final ByteBuffer pending;
    private final OutputStream stdin = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            while (buffer.hasRemaining()) {
                socket.write(buffer);
            }
        }

        @Override
        public void close() {
            try {
                socket.shutdownOutput();
            } catch (IOException e) {
                log.debug("end of input of exec {}: {}", execId, e.toString());
            }
        }
    };

    private DockerProcess(DockerClient docker, String execId, boolean tty, SocketChannel socket, ByteBuffer pending) {
        this.docker = docker;
        this.execId = execId;
        this.tty = tty;
        this.socket = socket;
        this.pending = pending;
    }

    /** Creates the exec and attaches to it; the process runs from here on. */
    static DockerProcess start(DockerClient docker, URI dockerHost, String container, List<String> cmd, boolean tty, Map<String, String> env,
                               int columns, int rows) throws IOException {
        String execId = docker.execCreateCmd(container).withTty(tty).withAttachStdin(true).withAttachStdout(true).withAttachStderr(true)
                .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withCmd(cmd.toArray(String[]::new)).exec().getId();
        SocketChannel socket = SocketChannel.open(address(dockerHost));
        try {
            String body = "{\"Detach\":false,\"Tty\":" + tty + "}";
            String request = "POST /exec/" + execId + "/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
                    + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                socket.write(out);
            }
            ByteBuffer rest = readResponseHead(socket, execId);
            DockerProcess process = new DockerProcess(docker, execId, tty, socket, rest);
            if (tty) {
                process.resize(columns, rows);
            }
            return process;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static SocketAddress address(URI host) {
        return switch (host.getScheme()) {
            case "unix" -> UnixDomainSocketAddress.of(host.getPath());
            case "tcp", "http" -> new InetSocketAddress(host.getHost(), host.getPort() < 0 ? 2375 : host.getPort());
            default -> throw new IllegalStateException("cannot attach to processes through Docker at " + host + " (unix:// or tcp:// only)");
        };
    }

    /** Reads the answer's head (101 Switching Protocols, or 200 from an older daemon); returns what came after it. */
    private static ByteBuffer readResponseHead(SocketChannel socket, String execId) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (true) {
            if (socket.read(buffer) < 0) {
                throw new EOFException("Docker closed the connection before attaching to exec " + execId);
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                head.write(buffer.get());
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                    String status = new String(h, 0, Math.min(n, 200), StandardCharsets.US_ASCII).lines().findFirst().orElse("");
                    if (!status.contains(" 101 ") && !status.contains(" 200 ")) {
                        throw new IOException("Docker refused to attach to exec " + execId + ": " + status);
                    }
                    ByteBuffer rest = ByteBuffer.allocate(buffer.remaining());
                    rest.put(buffer).flip();
                    return rest;
                }
                if (n > 16384) {
                    throw new IOException("Docker's answer to attaching exec " + execId + " has no end of head");
                }
            }
            buffer.clear();
        }
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public int copyOutput(OutputStream out, OutputStream err) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        buffer.put(pending);
        try {
            if (tty) {
                copyRaw(buffer, out);
            } else {
                copyFrames(buffer, out, err);
            }
        } catch (IOException e) {
            if (socket.isOpen()) {
                throw e;
            }
            return -1; // closed here: the session ended it, not the process
        }
        return exitCode();
    }

    private void copyRaw(ByteBuffer buffer, OutputStream out) throws IOException {
        while (true) {
            buffer.flip();
            if (buffer.hasRemaining()) {
                out.write(buffer.array(), buffer.position(), buffer.remaining());
                out.flush();
            }
            buffer.clear();
            if (socket.read(buffer) < 0) {
                return;
            }
        }
    }

    /** Without a terminal Docker multiplexes: a header of 8 bytes (stream, 0, 0, 0, length) before each piece. */
    private void copyFrames(ByteBuffer buffer, OutputStream out, OutputStream err) throws IOException {
        while (true) {
            buffer.flip();
            while (buffer.remaining() >= 8) {
                int stream = buffer.get(buffer.position());
                int length = buffer.getInt(buffer.position() + 4);
                buffer.position(buffer.position() + 8);
                int left = length;
                OutputStream target = stream == 2 ? err : out;
                while (left > 0) {
                    if (!buffer.hasRemaining()) {
                        buffer.clear();
                        if (socket.read(buffer) < 0) {
                            throw new EOFException("exec " + execId + " ended inside a frame");
                        }
                        buffer.flip();
                    }
                    int n = Math.min(left, buffer.remaining());
                    target.write(buffer.array(), buffer.position(), n);
                    buffer.position(buffer.position() + n);
                    left -= n;
                }
                target.flush();
            }
            buffer.compact();
            if (socket.read(buffer) < 0) {
                return;
            }
        }
    }

    /** The exit status, once Docker has recorded it (the stream ends a moment before). */
    private int exitCode() {
        for (int i = 0; i < 50; i++) {
            try {
                InspectExecResponse r = docker.inspectExecCmd(execId).exec();
                if (!Boolean.TRUE.equals(r.isRunning()) && r.getExitCodeLong() != null) {
                    return r.getExitCodeLong().intValue();
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            } catch (RuntimeException e) {
                log.debug("exit status of exec {}: {}", execId, e.toString());
                return -1;
            }
        }
        return -1;
    }

    @Override
    public void resize(int columns, int rows) {
        if (!tty) {
            return;
        }
        try {
            docker.resizeExecCmd(execId).withSize(rows, columns).exec();
        } catch (RuntimeException e) {
            log.debug("resize of exec {} failed: {}", execId, e.toString());
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing exec {}: {}", execId, e.toString());
        }
    }
}
