package io.gpudocker.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file into a container by {@code PUT /containers/{id}/archive} (what {@code docker cp} uses), on a connection of
 * its own: a tar of one entry whose bytes go from the file channel to the daemon's socket by the kernel
 * ({@code transferTo}), never through the heap. docker-java's copy call takes a stream it reads piece by piece.
 */
final class ArchiveUpload {
    private static final int BLOCK = 512;
    private static final long PIECE = 4L * 1024 * 1024;
    private static final Pattern MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private ArchiveUpload() {}

    /**
     * Sends the first {@code entry.size()} bytes of {@code content}; returns once Docker said it extracted them. Where
     * {@code cancelled} says so between pieces, the request ends short (Docker then refuses it) and this throws.
     */
    static void put(URI dockerHost, String container, ArchiveEntry entry, FileChannel content, BooleanSupplier cancelled) throws IOException {
        byte[] header = header(entry);
        long padded = (entry.size() + BLOCK - 1) / BLOCK * BLOCK;
        long length = BLOCK + padded + 2L * BLOCK;
        String head = "PUT /containers/" + URLEncoder.encode(container, StandardCharsets.UTF_8) + "/archive?path="
                + URLEncoder.encode(entry.directory(), StandardCharsets.UTF_8) + " HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\n"
                + "Connection: close\r\nContent-Length: " + length + "\r\n\r\n";
        try (SocketChannel socket = SocketChannel.open(DockerProcess.address(dockerHost))) {
            writeFully(socket, ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
            writeFully(socket, ByteBuffer.wrap(header));
            long sent = 0;
            while (sent < entry.size()) {
                if (cancelled.getAsBoolean()) {
                    // the body ends short: Docker's extraction fails and it answers; once it has, nothing more lands
                    socket.shutdownOutput();
                    answer(socket, entry);
                    throw new IOException("the upload of " + entry.name() + " was cancelled");
                }
                long n = content.transferTo(sent, Math.min(PIECE, entry.size() - sent), socket);
                if (n <= 0) {
                    throw new IOException("the spool of " + entry.name() + " ended at " + sent + " of " + entry.size() + " bytes");
                }
                sent += n;
            }
            writeFully(socket, ByteBuffer.allocate((int) (padded - entry.size()) + 2 * BLOCK));
            int status = answer(socket, entry);
            if (status != 200) {
                throw new IOException("unexpected answer " + status);
            }
        }
    }

    /** The answer's status; a refusal (not 200) thrown as an {@link EngineException} with Docker's message. */
    private static int answer(SocketChannel socket, ArchiveEntry entry) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (all.size() < 65536 && socket.read(buffer) >= 0) {
            all.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        String text = all.toString(StandardCharsets.UTF_8);
        String[] status = text.lines().findFirst().orElse("").split(" ");
        int code;
        try {
            code = Integer.parseInt(status.length > 1 ? status[1] : "");
        } catch (NumberFormatException e) {
            throw new IOException("Docker's answer to writing " + entry.name() + " into " + entry.directory() + " has no status");
        }
        if (code != 200) {
            Matcher m = MESSAGE.matcher(text);
            String message = m.find() ? m.group(1).replace("\\\"", "\"") : text.lines().findFirst().orElse("");
            throw new EngineException(code, "Docker refused to write " + entry.name() + " into " + entry.directory() + ": " + message, null);
        }
        return code;
    }

    private static void writeFully(SocketChannel socket, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            socket.write(buffer);
        }
    }

    /** A ustar header of one regular file (a name of up to 100 bytes: longer ones are the caller's to avoid). */
    static byte[] header(ArchiveEntry entry) {
        byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > 100) {
            throw new IllegalArgumentException("a tar entry's name has 1 to 100 bytes, not " + name.length);
        }
        if (entry.size() < 0 || entry.size() > 077777777777L) {
            throw new IllegalArgumentException("a tar entry of " + entry.size() + " bytes");
        }
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, name.length);
        octal(h, 100, 8, entry.mode() & 07777);
        octal(h, 108, 8, entry.uid());
        octal(h, 116, 8, entry.gid());
        octal(h, 124, 12, entry.size());
        octal(h, 136, 12, System.currentTimeMillis() / 1000);
        h[156] = '0';
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    /** {@code value} in octal, zero-padded, in a field of {@code width} bytes whose last is NUL. */
    private static void octal(byte[] h, int at, int width, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > width - 1) {
            throw new IllegalArgumentException(value + " does not fit a tar field of " + width + " bytes");
        }
        s = "0".repeat(width - 1 - s.length()) + s;
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, at, width - 1);
        h[at + width - 1] = 0;
    }
}
