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
    private static final List<String> KEEP_ALL = List.of("--numeric-owner", "--xattrs", "--xattrs-include=*", "--acls");

    /** Null: tar runs unconfined (the unit tests, which need no mount namespace). */
    private final ConfinedCommand confined;

    TarStreams(ConfinedCommand confined) {
        this.confined = confined;
    }

    /** Packs {@code dir} onto {@code out}; {@code sent} hears every chunk's size. Returns the bytes written. */
    long pack(Path dir, OutputStream out, LongConsumer sent) throws IOException {
        List<String> tar = new ArrayList<>(List.of("tar"));
        tar.addAll(KEEP_ALL);
        tar.addAll(List.of("-C", confined == null ? dir.toString() : ConfinedCommand.FROM, "-cf", "-", "."));
        List<String> cmd = confined == null ? tar : confined.command(dir.toString(), null, tar);
        Path err = Files.createTempFile("gda-tar", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        long total = 0;
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
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
        finish(p, "packing " + dir, err);
        return total;
    }

    /** Unpacks the stream into {@code dir}, which exists; returns the bytes read. */
    long unpack(InputStream in, Path dir) throws IOException {
        List<String> tar = new ArrayList<>(List.of("tar"));
        tar.addAll(KEEP_ALL);
        tar.addAll(List.of("--same-permissions", "-C", confined == null ? dir.toString() : ConfinedCommand.TO, "-xf", "-"));
        List<String> cmd = confined == null ? tar : confined.command(dir.toString(), dir.toString(), tar);
        Path err = Files.createTempFile("gda-tar", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        long total = 0;
        try (OutputStream to = p.getOutputStream()) {
            byte[] buf = new byte[1 << 16];
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
        finish(p, "unpacking into " + dir, err);
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
    private static void finish(Process p, String what, Path err) throws IOException {
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + ": tar did not exit");
            }
            if (p.exitValue() != 0) {
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
