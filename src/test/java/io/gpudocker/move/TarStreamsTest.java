package io.gpudocker.move;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tree packed and unpacked by tar as a move carries it: contents, modes, links and extended attributes arrive as they were. */
class TarStreamsTest {
    @TempDir
    Path from;
    @TempDir
    Path to;
    private final TarStreams tar = new TarStreams(null);

    @Test
    void aTreeArrivesWithItsContentsModesLinksAndAttributes() throws IOException {
        Files.createDirectories(from.resolve("d/sub"));
        Files.writeString(from.resolve("d/sub/f"), "payload");
        Files.setPosixFilePermissions(from.resolve("d/sub/f"), PosixFilePermissions.fromString("rw-r-----"));
        Files.createSymbolicLink(from.resolve("link"), Path.of("d/sub/f"));
        Files.createSymbolicLink(from.resolve("outside"), Path.of("/etc/hostname"));
        Files.createLink(from.resolve("hard"), from.resolve("d/sub/f"));
        boolean xattrs = setAttribute(from.resolve("d"), "opaque", "y");
        AtomicLong heard = new AtomicLong();

        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        long packed = tar.pack(from, stream, heard::addAndGet);
        long unpacked = tar.unpack(new ByteArrayInputStream(stream.toByteArray()), to);

        assertThat(packed).isEqualTo(stream.size()).isEqualTo(heard.get()).isEqualTo(unpacked);
        assertThat(Files.readString(to.resolve("d/sub/f"))).isEqualTo("payload");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(to.resolve("d/sub/f")))).isEqualTo("rw-r-----");
        assertThat(Files.readSymbolicLink(to.resolve("link"))).isEqualTo(Path.of("d/sub/f"));
        assertThat(Files.readSymbolicLink(to.resolve("outside"))).as("a link is carried as a link, never followed").isEqualTo(Path.of("/etc/hostname"));
        assertThat(Files.isSameFile(to.resolve("hard"), to.resolve("d/sub/f"))).isTrue();
        assertThat(Files.getAttribute(to.resolve("hard"), "unix:nlink", LinkOption.NOFOLLOW_LINKS)).isEqualTo(2);
        if (xattrs) {
            assertThat(readAttribute(to.resolve("d"), "opaque")).isEqualTo("y");
        }
        assertThat(TarStreams.sizeOf(from)).isEqualTo("payload".length() * 2L);
    }

    @Test
    void aStreamCutShortFailsTheUnpack() throws IOException {
        Files.write(from.resolve("big"), new byte[200_000]);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        tar.pack(from, stream, n -> { });
        byte[] cut = java.util.Arrays.copyOf(stream.toByteArray(), 50_000);

        assertThatThrownBy(() -> tar.unpack(new ByteArrayInputStream(cut), to)).isInstanceOf(IOException.class).hasMessageContaining("tar exited");
    }

    private static boolean setAttribute(Path p, String name, String value) {
        try {
            Files.getFileAttributeView(p, UserDefinedFileAttributeView.class).write(name, StandardCharsets.UTF_8.encode(value));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // a filesystem without user attributes (tmpfs without them): the rest still holds
        }
    }

    private static String readAttribute(Path p, String name) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(view.size(name));
        view.read(name, buf);
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }
}
