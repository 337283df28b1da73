package io.gpudocker.move;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the source of a move keeps, between the copy made while the instance runs and the one made once it is
 * stopped, what the first copy saw (tar's snapshot of each tree: its directories and the time it began). One
 * directory per move under {@code base}, readable by root only; a move lives in one process, so what an earlier
 * process left is removed.
 */
final class MoveMarks {
    /**
     * The final copy takes what changed since the first began, less this: a file's times come from the kernel's coarse
     * clock, which may stamp a change made just after the first copy began a few milliseconds before it.
     */
    static final long BACKDATE_SECONDS = 2;

    private final Path base;

    private MoveMarks(Path base) {
        this.base = base;
    }

    /** Marks under {@code base}, with whatever an earlier process left there removed. */
    static MoveMarks clearedAt(Path base) {
        MoveMarks marks = new MoveMarks(base);
        if (Files.isDirectory(base)) {
            try (Stream<Path> left = Files.list(base)) {
                left.forEach(MoveMarks::removeQuietly);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clear " + base, e);
            }
        }
        return marks;
    }

    /** A fresh directory for the move {@code moveId}'s marks. */
    Path open(String moveId) throws IOException {
        Files.createDirectories(base, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path dir = base.resolve(moveId);
        removeQuietly(dir);
        return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** Removes a move's marks. */
    static void close(Path dir) {
        if (dir != null) {
            removeQuietly(dir);
        }
    }

    /**
     * Readies a snapshot for the final dump: the time it says its dump began moves {@link #BACKDATE_SECONDS} earlier,
     * and each directory forgets the device it was on. tar takes a directory whose device and inode number a snapshot
     * gave another path for that directory renamed, and has the unpacking side rename it; but a directory deleted
     * after the first dump frees its inode number for a new one, which is then no rename at all (the unpacking fails,
     * or moves the wrong tree). With no device to match (and {@code --no-check-device} for the one of the same path),
     * a directory whose inode changed is dumped whole instead.
     *
     * <p>GNU tar's snapshot, format 2: a line naming the format; the start as seconds and nanoseconds; then per
     * directory its NFS flag, modification time (seconds, nanoseconds), device, inode, path and entries, the entries
     * ended by an empty one and the record by another; every field ended by a NUL.
     */
    static void readyForFinal(Path snapshot) throws IOException {
        byte[] b = Files.readAllBytes(snapshot);
        int line = indexOf(b, (byte) '\n', 0);
        String header = line < 0 ? "" : new String(b, 0, line, StandardCharsets.US_ASCII);
        if (!header.startsWith("GNU tar-") || !header.endsWith("-2")) {
            throw new IOException("tar's snapshot " + snapshot + " is not in the format this service reads (" + header + ")");
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(b.length);
        out.write(b, 0, line + 1);
        int[] at = {line + 1};
        String seconds = field(b, at, snapshot);
        long start;
        try {
            start = Long.parseLong(seconds);
        } catch (NumberFormatException e) {
            throw new IOException("tar's snapshot " + snapshot + " has no start time", e);
        }
        put(out, Long.toString(start - BACKDATE_SECONDS));
        put(out, field(b, at, snapshot));
        while (at[0] < b.length) {
            for (int i = 0; i < 6; i++) {
                String f = field(b, at, snapshot);
                put(out, i == 3 ? "0" : f);
            }
            String entry;
            do {
                entry = field(b, at, snapshot);
                put(out, entry);
            } while (!entry.isEmpty());
            String end = field(b, at, snapshot);
            if (!end.isEmpty()) {
                throw new IOException("tar's snapshot " + snapshot + " has a record not ended as format 2 ends it");
            }
            put(out, end);
        }
        Files.write(snapshot, out.toByteArray());
    }

    private static String field(byte[] b, int[] at, Path snapshot) throws IOException {
        int end = indexOf(b, (byte) 0, at[0]);
        if (end < 0) {
            throw new IOException("tar's snapshot " + snapshot + " ends in the middle of a record");
        }
        String f = new String(b, at[0], end - at[0], StandardCharsets.ISO_8859_1);
        at[0] = end + 1;
        return f;
    }

    private static void put(java.io.ByteArrayOutputStream out, String field) {
        out.writeBytes(field.getBytes(StandardCharsets.ISO_8859_1));
        out.write(0);
    }

    private static int indexOf(byte[] b, byte what, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == what) {
                return i;
            }
        }
        return -1;
    }

    private static void removeQuietly(Path p) {
        try (Stream<Path> all = Files.walk(p)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // gone already, or the next start clears it
        }
    }
}
