package io.gpudocker.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.docker.ArchiveEntry;
import io.gpudocker.docker.ContainerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of an upload, with Docker's archive call played by writing the entry into a directory and the container's
 * processes by local ones (the joining script runs as it would in the container).
 */
class ArchiveWriterTest {
    private static final long PART = 64 * 1024;

    @TempDir
    Path box;
    @TempDir
    Path spoolDir;

    private final List<ArchiveEntry> written = new CopyOnWriteArrayList<>();
    private volatile IOException failWith;

    private final ArchiveWriter.Files files = (entry, content, cancelled) -> {
        if (failWith != null) {
            throw failWith;
        }
        written.add(entry);
        Path to = Path.of(entry.directory()).resolve(entry.name());
        Files.deleteIfExists(to);
        try (FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long at = 0;
            while (at < entry.size()) {
                at += content.transferTo(at, entry.size() - at, out);
            }
        }
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(rwx(entry.mode())));
    };

    private final ProcessHop.Launcher launcher = spec -> local(new ProcessBuilder(spec.cmd()).start());

    private ArchiveWriter writer(UploadSpool spool, int mode) {
        return new ArchiveWriter(files, launcher, new ArchiveWriter.Target(box.toString(), "f.bin", 0, 0, mode), spool.reserve().orElseThrow());
    }

    private UploadSpool spool() {
        UploadSpool spool = new UploadSpool(spoolDir, PART, 4 * PART);
        spool.prepare();
        return spool;
    }

    private static byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** Writes as an SFTP client does: pieces of 32 KiB, a last one shorter. */
    private static void put(ArchiveWriter w, byte[] data) throws IOException {
        for (int at = 0; at < data.length; at += 32 * 1024) {
            w.write(data, at, Math.min(32 * 1024, data.length - at));
        }
    }

    @Test
    void aFileOfOnePartIsWrittenAsItselfWithItsMode() throws Exception {
        ArchiveWriter w = writer(spool(), 0640);
        byte[] d = data(1000);
        put(w, d);
        w.finish();
        assertThat(Files.readAllBytes(box.resolve("f.bin"))).isEqualTo(d);
        assertThat(written).extracting(ArchiveEntry::name).containsExactly("f.bin");
        assertThat(rwxOf(box.resolve("f.bin"))).isEqualTo("rw-r-----");
        assertThat(box.toFile().list()).containsExactly("f.bin");
        assertThat(spoolDir.toFile().list()).isEmpty();
    }

    @Test
    void aLongerFileGoesInPartsJoinedInTheContainerAndTakesItsModeAtTheEnd() throws Exception {
        for (int size : new int[] {(int) PART + 1, (int) (3 * PART), (int) (3 * PART) + 12345}) {
            written.clear();
            UploadSpool spool = spool();
            ArchiveWriter w = writer(spool, 0644);
            byte[] d = data(size);
            put(w, d);
            w.mode(0604);
            w.finish();
            assertThat(Files.readAllBytes(box.resolve("f.bin"))).as("%s bytes", size).isEqualTo(d);
            assertThat(written.get(0).name()).startsWith(".gda-upload-").doesNotEndWith(".part");
            assertThat(written.get(0).mode()).isEqualTo(0600);
            assertThat(written).hasSize((size + (int) PART - 1) / (int) PART);
            assertThat(rwxOf(box.resolve("f.bin"))).isEqualTo("rw----r--");
            assertThat(box.toFile().list()).as("hidden files left").containsExactly("f.bin");
            assertThat(spoolDir.toFile().list()).isEmpty();
            // the spool's room came back
            assertThat(spool.reserve()).isPresent();
        }
    }

    @Test
    void aFailedPartFailsTheNextWriteOrTheCloseAndLeavesNothing() throws Exception {
        ArchiveWriter w = writer(spool(), 0644);
        put(w, data((int) (2 * PART)));
        failWith = new IOException("no space left on device");
        assertThatThrownBy(() -> {
            put(w, data((int) PART));
            w.finish();
        }).hasMessageContaining("no space left on device");
        awaitEmpty();
        assertThat(box.toFile().list()).as("hidden files left").isEmpty();
    }

    @Test
    void anAbandonedUploadRemovesItsHiddenFilesAndSpool() throws Exception {
        ArchiveWriter w = writer(spool(), 0644);
        put(w, data((int) (2 * PART + 100)));
        w.abort();
        awaitEmpty();
        assertThat(box.toFile().list()).as("hidden files left").isEmpty();
        assertThatThrownBy(() -> w.write(new byte[10], 0, 10)).isInstanceOf(IOException.class);
    }

    @Test
    void theSpoolHoldsNoMoreThanItsTotal() {
        UploadSpool spool = spool();
        var a = spool.reserve();
        var b = spool.reserve();
        assertThat(a).isPresent();
        assertThat(b).isPresent();
        assertThat(a.get().grow()).isTrue();
        assertThat(a.get().grow()).as("two parts at most").isTrue();
        assertThat(b.get().grow()).isTrue();
        assertThat(spool.reserve()).as("two uploads of two parts fill four parts").isEmpty();
        a.get().close();
        a.get().close();
        assertThat(spool.reserve()).isPresent();
        assertThat(spool.reserve()).isPresent();
        assertThat(spool.reserve()).isEmpty();
        assertThat(new UploadSpool(spoolDir, 0, 100).reserve()).as("no parts: every file through cat").isEmpty();
    }

    @Test
    void withRoomForOnePartOnlyThePartsTakeTurns() throws Exception {
        UploadSpool spool = new UploadSpool(spoolDir, PART, PART);
        spool.prepare();
        ArchiveWriter w = writer(spool, 0644);
        byte[] d = data((int) (3 * PART) + 7);
        put(w, d);
        w.finish();
        assertThat(Files.readAllBytes(box.resolve("f.bin"))).isEqualTo(d);
        assertThat(box.toFile().list()).containsExactly("f.bin");
        assertThat(spool.reserve()).isPresent();
    }

    private void awaitEmpty() throws InterruptedException {
        for (int i = 0; i < 100 && (box.toFile().list().length > 0 || spoolDir.toFile().list().length > 0); i++) {
            Thread.sleep(50);
        }
        assertThat(spoolDir.toFile().list()).as("spool left").isEmpty();
    }

    private static String rwx(int mode) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            s.append((mode & (0400 >> i)) != 0 ? "rwx".charAt(i % 3) : '-');
        }
        return s.toString();
    }

    private static String rwxOf(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static ContainerProcess local(Process p) {
        return new ContainerProcess() {
            @Override
            public OutputStream stdin() {
                return p.getOutputStream();
            }

            @Override
            public int copyOutput(OutputStream out, OutputStream err) throws IOException {
                Thread errors = new Thread(() -> {
                    try {
                        p.getErrorStream().transferTo(err);
                    } catch (IOException ignored) {
                        // the process was ended
                    }
                });
                errors.start();
                InputStream in = p.getInputStream();
                byte[] b = new byte[8192];
                int n;
                while ((n = in.read(b)) > 0) {
                    out.write(b, 0, n);
                    out.flush();
                }
                try {
                    errors.join();
                    return p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }

            @Override
            public void resize(int columns, int rows) {}

            @Override
            public void close() {
                p.destroyForcibly();
            }
        };
    }
}
