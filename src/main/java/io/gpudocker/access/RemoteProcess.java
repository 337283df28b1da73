package io.gpudocker.access;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.docker.ContainerProcess;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * A process in an instance another node runs, for an SSH session that arrived here: the owner node starts it in the
 * container ({@link ProcessHopController}) and carries its streams back over one connection ({@link ProcessFrames}).
 * What to run travels in the signed URI, so no node but one of the cluster can start anything.
 */
final class RemoteProcess implements ContainerProcess {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final OutputStream stdin;

    /** What the owner runs: the fields of the signed query. */
    record Spec(List<String> cmd, boolean tty, Map<String, String> env, int columns, int rows) {}

    private RemoteProcess(Socket socket, DataInputStream in, DataOutputStream out) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.stdin = new OutputStream() {
            private final OutputStream frames = ProcessFrames.framing(out, ProcessFrames.STDIN);

            @Override
            public void write(int b) throws IOException {
                frames.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                frames.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                ProcessFrames.write(out, ProcessFrames.STDIN_END, new byte[0], 0, 0);
            }
        };
    }

    static String encode(Spec spec) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(spec));
    }

    static Spec decode(String spec) {
        return JSON.readValue(Base64.getUrlDecoder().decode(spec), Spec.class);
    }

    /** Starts {@code spec} in instance {@code replicaSet} on {@code peer}; a refusal there (stopped, gone) is this call's refusal. */
    static RemoteProcess start(AccessHop hop, AccessHop.Peer peer, String replicaSet, Caller caller, Spec spec) throws IOException {
        Socket socket;
        try {
            socket = hop.connect(peer);
        } catch (IOException e) {
            throw ApiException.of(ErrorCode.NODE_DOWN, "instance '%s' runs on node '%s', which cannot be reached (%s)", replicaSet, peer.node(), e.getMessage());
        }
        try {
            socket.setTcpNoDelay(true);
            String uri = "/access-hop/" + replicaSet + "/process?spec=" + encode(spec);
            StringBuilder head = new StringBuilder("POST ").append(uri).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(java.net.URI.create(peer.advertise()).getAuthority()).append("\r\n");
            hop.sign(peer, "POST", uri, caller).forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: 0\r\nConnection: Upgrade\r\nUpgrade: ").append(ProcessFrames.PROTOCOL).append("\r\n\r\n");
            OutputStream raw = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            raw.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            raw.flush();
            InputStream down = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            socket.setSoTimeout(30_000);
            String status = line(down);
            boolean chunked = false;
            long length = -1;
            for (String h = line(down); !h.isEmpty(); h = line(down)) {
                String lower = h.toLowerCase(java.util.Locale.ROOT);
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(h.substring(h.indexOf(':') + 1).trim());
                }
            }
            if (!status.startsWith("HTTP/1.1 101")) {
                String body = chunked ? new String(down.readNBytes((int) Long.parseLong(line(down).trim(), 16)), StandardCharsets.UTF_8)
                        : new String(down.readNBytes((int) Math.max(0, Math.min(length, 65536))), StandardCharsets.UTF_8);
                socket.close();
                Matcher m = MESSAGE.matcher(body);
                throw ApiException.of(ErrorCode.INVALID_STATE, "%s", m.find() ? m.group(1).replace("\\\"", "\"")
                        : "node '" + peer.node() + "' refused the session (" + status + ")");
            }
            socket.setSoTimeout(0);
            return new RemoteProcess(socket, new DataInputStream(down), new DataOutputStream(raw));
        } catch (IOException | RuntimeException e) {
            socket.close();
            if (e instanceof SocketTimeoutException) {
                throw ApiException.of(ErrorCode.NODE_DOWN, "node '%s' did not start the session in time", peer.node());
            }
            throw e;
        }
    }

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

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public int copyOutput(OutputStream stdout, OutputStream stderr) throws IOException {
        while (true) {
            ProcessFrames.Frame f;
            try {
                f = ProcessFrames.read(in);
            } catch (java.io.EOFException e) {
                return -1;
            }
            switch (f.kind()) {
                case ProcessFrames.STDOUT -> {
                    stdout.write(f.data());
                    stdout.flush();
                }
                case ProcessFrames.STDERR -> {
                    stderr.write(f.data());
                    stderr.flush();
                }
                case ProcessFrames.EXIT -> {
                    return ByteBuffer.wrap(f.data()).getInt();
                }
                default -> throw new IOException("an unknown process frame " + f.kind());
            }
        }
    }

    @Override
    public void resize(int columns, int rows) {
        try {
            byte[] size = ByteBuffer.allocate(8).putInt(columns).putInt(rows).array();
            ProcessFrames.write(out, ProcessFrames.RESIZE, size, 0, size.length);
        } catch (IOException e) {
            // the session is ending: the resize has nothing left to act on
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }
}
