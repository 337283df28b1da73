package io.gpudocker.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the parts of files written through SFTP wait on the host before Docker's archive call takes them: files under
 * the state directory, opened with {@code DELETE_ON_CLOSE}, which on Linux unlinks them at once (their space is freed
 * when the part was sent or the upload given up, and a killed service leaves none), in all never more than
 * {@code total} bytes. Each
 * upload reserves a part before it starts (one that finds no room left goes through the exec stream instead), and a
 * file longer than a part a second one, so one part arrives while the one before is sent (without it, the parts take
 * turns). Parts a stopped service left behind are removed when it starts again.
 */
final class UploadSpool {
    private static final Logger log = LoggerFactory.getLogger(UploadSpool.class);

    private final Path dir;
    private final long partSize;
    private final long total;
    private final AtomicLong reserved = new AtomicLong();

    /** @param partSize 0: no uploads by parts (the exec stream for every file) */
    UploadSpool(Path dir, long partSize, long total) {
        this.dir = dir;
        this.partSize = partSize;
        this.total = total;
    }

    long partSize() {
        return partSize;
    }

    /** Empties the spool directory (what a stopped service left) and makes it where it is missing. */
    void prepare() {
        if (partSize == 0) {
            return;
        }
        try {
            Files.createDirectories(dir);
            try (var left = Files.list(dir)) {
                for (Path p : left.toList()) {
                    Files.deleteIfExists(p);
                    log.info("ssh: removed the upload part {} a stopped service left", p.getFileName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the SSH gateway's upload spool " + dir + " cannot be prepared: " + e.getMessage(), e);
        }
    }

    /** Room for one part of an upload, if there is that much left (released by closing the reservation). */
    Optional<Reservation> reserve() {
        return partSize > 0 && take() ? Optional.of(new Reservation()) : Optional.empty();
    }

    private boolean take() {
        while (true) {
            long now = reserved.get();
            if (now + partSize > total) {
                return false;
            }
            if (reserved.compareAndSet(now, now + partSize)) {
                return true;
            }
        }
    }

    /** One upload's room in the spool: one part, a second one where it got it; its parts are made here. */
    final class Reservation implements AutoCloseable {
        private int parts = 1;

        private Reservation() {}

        /** Room for a second part (one arrives while the one before is sent), if there is that much left. */
        synchronized boolean grow() {
            if (parts == 1 && take()) {
                parts = 2;
                return true;
            }
            return parts == 2;
        }

        long partSize() {
            return partSize;
        }

        /** A fresh part file, read and written through the channel, deleted when the channel is closed. */
        FileChannel part() throws IOException {
            return FileChannel.open(dir.resolve(UUID.randomUUID() + ".part"), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
        }

        @Override
        public synchronized void close() {
            if (parts > 0) {
                reserved.addAndGet(-parts * partSize);
                parts = 0;
            }
        }
    }
}
