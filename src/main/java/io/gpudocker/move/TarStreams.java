package io.gpudocker.move;

import io.gpudocker.copy.ConfinedCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A directory tree as a tar stream and back, with everything a layer or a volume holds: owners and modes by number,
 * symbolic and hard links, timestamps, the extended attributes overlay keeps its opaque-directory marks in, and the
 * 0/0 character devices that are its whiteouts (deleted files). tar runs as root on a tree a tenant wrote, and walks
 * it by path, like cp: so it runs confined as the copies do ({@link ConfinedCommand}, docs/security.md), seeing only
 * the tree it packs (read-only) or the one it unpacks into, and a link swapped in mid-walk resolves inside that root.
 */
final class TarStreams {
    /** Bytes carried per read and write: a pipe holds 64 KiB, so a pack fills this from several reads. */
    static final int BUFFER = 1 << 20;
    private static final List<String> KEEP_ALL = List.of("--numeric-owner", "--xattrs", "--xattrs-include=*", "--acls");

    /** Null: tar runs unconfined (the unit tests, which need no mount namespace). */
    private final ConfinedCommand confined;

    private final MoveMarks marks;

    TarStreams(ConfinedCommand confined, MoveMarks marks) {
        this.confined = confined;
        this.marks = marks;
    }

    /** Where a move's snapshots go between its two dumps. */
    MoveMarks marks() {
        return marks;
    }

    /**
     * Packs {@code dir} onto {@code out} as an incremental dump against {@code snapshot} (tar's listed-incremental file,
     * which it writes): everything the first time, then only what changed since that first dump began (backdated by
     * {@link MoveMarks#readyForFinal}), with each directory's list of entries, so the unpacking side removes what was
     * deleted meanwhile. {@code live}: the tree may change while it is read (the instance runs); a file changed or
     * removed under tar is then no failure, as the final dump carries it again. {@code sent} hears every chunk's size.
     * Returns the bytes written.
     */
    long pack(Path dir, Path snapshot, boolean live, OutputStream out, LongConsumer sent) throws IOException {
        boolean second = Files.exists(snapshot);
        if (second) {
            MoveMarks.readyForFinal(snapshot);
        }
        List<String> tar = new ArrayList<>(List.of("tar"));
        tar.addAll(KEEP_ALL);
        if (second) {
            tar.add("--no-check-device");
        }
        if (live) {
            tar.add("--ignore-failed-read");
        }
        String marks = snapshot.getParent().toString();
        tar.addAll(List.of("--listed-incremental=" + (confined == null ? snapshot.toString() : ConfinedCommand.TO + "/" + snapshot.getFileName()),
                "-C", confined == null ? dir.toString() : ConfinedCommand.FROM, "-cf", "-", "."));
        List<String> cmd = confined == null ? tar : confined.command(dir.toString(), marks, tar);
        Path err = Files.createTempFile("gda-tar", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        long total = 0;
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                out.write(buf, 0, n);
                total += n;
                sent.accept(n);
            }
            out.flush();
        } catch (IOException e) {
            p.destroyForcibly();
            Files.deleteIfExists(err);
            throw e;
        }
        // 1: a file changed as tar read it, which the final dump carries again
        finish(p, "packing " + dir, err, live ? 1 : 0);
        return total;
    }

    /**
     * Unpacks the stream into {@code dir}, which exists; an incremental dump also removes from each directory it lists
     * what is no longer there. Returns the bytes read.
     */
    long unpack(InputStream in, Path dir) throws IOException {
        List<String> tar = new ArrayList<>(List.of("tar"));
        tar.addAll(KEEP_ALL);
        tar.addAll(List.of("--same-permissions", "--incremental", "-C", confined == null ? dir.toString() : ConfinedCommand.TO, "-xf", "-"));
        List<String> cmd = confined == null ? tar : confined.command(dir.toString(), dir.toString(), tar);
        Path err = Files.createTempFile("gda-tar", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        long total = 0;
        try (OutputStream to = p.getOutputStream()) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                to.write(buf, 0, n);
                total += n;
            }
        } catch (IOException e) {
            p.destroyForcibly();
            Files.deleteIfExists(err);
            throw e;
        }
        finish(p, "unpacking into " + dir, err, 0);
        return total;
    }

    /** The bytes of the regular files under {@code dir}, links not followed: what a copy of it carries. */
    static long sizeOf(Path dir) throws IOException {
        long[] sum = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    sum[0] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        return sum[0];
    }

    /** Waits for tar (its stderr went to {@code err}, so a chatty tar never blocks on a full pipe) and fails on a non-zero exit. */
    private static void finish(Process p, String what, Path err, int worstFine) throws IOException {
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + ": tar did not exit");
            }
            if (p.exitValue() > worstFine) {
                String said = Files.readString(err, StandardCharsets.UTF_8).strip();
                throw new IOException(what + ": tar exited " + p.exitValue() + (said.isEmpty() ? "" : ": " + abbreviate(said)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(what + ": interrupted", e);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
