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

/**
 * A tree packed and unpacked by tar as a move carries it: contents, modes, links and extended attributes arrive as
 * they were; and a second pass after changes makes the copy equal to the changed tree, deletions included.
 */
class TarStreamsTest {
    @TempDir
    Path from;
    @TempDir
    Path to;
    @TempDir
    Path marks;
    private final TarStreams tar = new TarStreams(null, MoveMarks.clearedAt(Path.of("target", "tar-streams-test-marks")));

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
        long packed = tar.pack(from, marks.resolve("s"), false, stream, heard::addAndGet);
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
        tar.pack(from, marks.resolve("s"), false, stream, n -> { });
        byte[] cut = java.util.Arrays.copyOf(stream.toByteArray(), 50_000);

        assertThatThrownBy(() -> tar.unpack(new ByteArrayInputStream(cut), to)).isInstanceOf(IOException.class).hasMessageContaining("tar exited");
    }

    @Test
    void aSecondPassCarriesWhatChangedAndRemovesWhatWasDeleted() throws IOException {
        Files.createDirectories(from.resolve("keep/deep"));
        Files.createDirectories(from.resolve("gone/sub"));
        Files.createDirectories(from.resolve("becomesFile"));
        Files.writeString(from.resolve("keep/same"), "same");
        Files.writeString(from.resolve("keep/changes"), "before");
        Files.writeString(from.resolve("keep/chmod"), "mode");
        Files.writeString(from.resolve("keep/timeBack"), "old");
        Files.writeString(from.resolve("gone/sub/f"), "x");
        Files.writeString(from.resolve("deleted"), "x");
        Files.writeString(from.resolve("becomesDir"), "file");
        Files.createSymbolicLink(from.resolve("relinked"), Path.of("keep/same"));
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        tar.pack(from, marks.resolve("s"), true, first, n -> { });
        tar.unpack(new ByteArrayInputStream(first.toByteArray()), to);

        // changed right after the first pass began: the final pass takes what changed since, even with an old mtime
        Files.writeString(from.resolve("keep/changes"), "after");
        Files.setPosixFilePermissions(from.resolve("keep/chmod"), PosixFilePermissions.fromString("rwx------"));
        Files.writeString(from.resolve("keep/timeBack"), "new");
        Files.setLastModifiedTime(from.resolve("keep/timeBack"), java.nio.file.attribute.FileTime.fromMillis(0));
        Files.writeString(from.resolve("keep/deep/added"), "added");
        Files.createLink(from.resolve("keep/hardToSame"), from.resolve("keep/same"));
        deleteTree(from.resolve("gone"));
        Files.delete(from.resolve("deleted"));
        deleteTree(from.resolve("becomesFile"));
        Files.writeString(from.resolve("becomesFile"), "now a file");
        Files.delete(from.resolve("becomesDir"));
        Files.createDirectories(from.resolve("becomesDir"));
        Files.writeString(from.resolve("becomesDir/in"), "in");
        Files.delete(from.resolve("relinked"));
        Files.createSymbolicLink(from.resolve("relinked"), Path.of("keep/changes"));
        ByteArrayOutputStream last = new ByteArrayOutputStream();
        tar.pack(from, marks.resolve("s"), false, last, n -> { });
        tar.unpack(new ByteArrayInputStream(last.toByteArray()), to);

        assertThat(listing(to)).isEqualTo(listing(from));
        assertThat(Files.exists(to.resolve("gone"))).isFalse();
        assertThat(Files.readString(to.resolve("keep/timeBack"))).isEqualTo("new");
        assertThat(Files.isSameFile(to.resolve("keep/hardToSame"), to.resolve("keep/same"))).isTrue();
    }

    @Test
    void readyingForTheFinalPassMovesTheStartEarlierAndForgetsTheDevices() throws IOException {
        Path snapshot = marks.resolve("s");
        Files.writeString(from.resolve("f"), "x");
        tar.pack(from, snapshot, false, new ByteArrayOutputStream(), n -> { });
        String before = Files.readString(snapshot, StandardCharsets.ISO_8859_1);
        MoveMarks.readyForFinal(snapshot);
        String after = Files.readString(snapshot, StandardCharsets.ISO_8859_1);

        String[] was = before.split("\n", 2)[1].split("\u0000", 2);
        String[] now = after.split("\n", 2)[1].split("\u0000", 2);
        assertThat(Long.parseLong(now[0])).isEqualTo(Long.parseLong(was[0]) - MoveMarks.BACKDATE_SECONDS);
        String[] wasFields = was[1].split("\u0000", -1);
        String[] nowFields = now[1].split("\u0000", -1);
        assertThat(nowFields).hasSameSizeAs(wasFields);
        assertThat(nowFields[0]).as("nanoseconds").isEqualTo(wasFields[0]);
        assertThat(wasFields[4]).as("the device of the first directory").isNotEqualTo("0");
        assertThat(nowFields[4]).isEqualTo("0");
        assertThat(nowFields[5]).as("its inode").isEqualTo(wasFields[5]);
        assertThat(nowFields[6]).as("its path").isEqualTo(wasFields[6]).isEqualTo(".");
        assertThat(after.split("\n", 2)[0]).isEqualTo(before.split("\n", 2)[0]);
        Files.writeString(snapshot, "not a snapshot\n1\u00002\u0000");
        assertThatThrownBy(() -> MoveMarks.readyForFinal(snapshot)).isInstanceOf(IOException.class).hasMessageContaining("format");
    }

    /** Every entry: path, kind, mode, size, link target, link count, and a regular file's contents. */
    private static java.util.List<String> listing(Path root) throws IOException {
        try (var all = Files.walk(root)) {
            return all.filter(p -> !p.equals(root)).map(p -> {
                try {
                    var attrs = Files.readAttributes(p, "unix:mode,size,nlink,isSymbolicLink,isRegularFile", LinkOption.NOFOLLOW_LINKS);
                    String rel = root.relativize(p).toString();
                    boolean link = (Boolean) attrs.get("isSymbolicLink");
                    boolean regular = (Boolean) attrs.get("isRegularFile");
                    return rel + " " + Integer.toOctalString((Integer) attrs.get("mode")) + " " + attrs.get("nlink")
                            + (link ? " -> " + Files.readSymbolicLink(p) : "") + (regular ? " " + Files.readString(p) : "");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (var all = Files.walk(p)) {
            for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
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
