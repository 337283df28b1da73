package io.gpudocker.access;

import io.gpudocker.docker.ArchiveEntry;
import io.gpudocker.docker.ContainerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file written through SFTP that reaches the container by Docker's archive call (what {@code docker cp} uses) rather
 * than through {@code cat} on an exec stream, which carries bytes at less than half that speed. A tar entry needs its
 * size before its bytes and SFTP tells the size only at the close, so the file goes in parts: each part is spooled on
 * the host ({@link UploadSpool}) as it arrives and, once complete, sent while the next one arrives. A file of one part
 * is sent at the close as the file itself. Of a longer one, the first part is sent as a hidden file next to the target,
 * each later part as a hidden part file that one process in the container ({@code sh}, as the container's user)
 * appends to it and removes; at the close the hidden file takes its mode and, renamed, the target's place. The close
 * returns once the file is complete in the container; a failed or abandoned upload removes its hidden files and
 * spool.
 */
final class ArchiveWriter {
    private static final Logger log = LoggerFactory.getLogger(ArchiveWriter.class);
    private static final int STAGE = 1 << 20;
    /** $1 the hidden file, $2 the part, $3 the target: "a" appends the part, "e MODE" ends; each answered "ok". */
    private static final String JOIN = "while read -r op mode; do case $op in "
            + "a) cat -- \"$2\" >> \"$1\" && rm -f -- \"$2\" || exit 1 ;; "
            + "e) chmod \"$mode\" -- \"$1\" && mv -f -- \"$1\" \"$3\" || exit 1 ;; "
            + "*) exit 2 ;; esac; echo ok; done";
    private static final String ENDED = "\u0000ended ";

    /** Docker's archive call into the instance's container. */
    @FunctionalInterface
    interface Files {
        void write(ArchiveEntry entry, FileChannel content, BooleanSupplier cancelled) throws IOException;
    }

    /** The file as it is to end: in {@code directory} (no symlink in it), owned and moded so. */
    record Target(String directory, String name, int uid, int gid, int mode) {
        String path(String file) {
            return (directory.endsWith("/") ? directory : directory + "/") + file;
        }

        Target withMode(int m) {
            return new Target(directory, name, uid, gid, m);
        }
    }

    private final Files files;
    private final ProcessHop.Launcher launcher;
    private final Target target;
    private final UploadSpool.Reservation spool;
    private final String hidden = ".gda-upload-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    private final ExecutorService sender;
    private final ByteBuffer stage = ByteBuffer.allocateDirect(STAGE);
    private volatile FileChannel filling;
    private long filled;
    private volatile int parts;
    private Future<?> sending;
    private volatile int mode;
    private volatile boolean cancelled;
    /** Whether the file went as one part, as itself (it made no hidden file). */
    private volatile boolean lastSent;
    private volatile Joiner joiner;
    private boolean ended;
    private final long started = System.nanoTime();

    ArchiveWriter(Files files, ProcessHop.Launcher launcher, Target target, UploadSpool.Reservation spool) {
        this.files = files;
        this.launcher = launcher;
        this.target = target;
        this.spool = spool;
        this.mode = target.mode();
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sftp-upload");
            t.setDaemon(true);
            return t;
        });
    }

    /** The mode the file ends with (a set-stat while it is written). */
    void mode(int m) {
        mode = m;
    }

    /** Takes the bytes; waits only where the part before the one just completed is still being sent. A failure gives the upload up. */
    void write(byte[] b, int off, int len) throws IOException {
        if (cancelled) {
            throw new IOException("the upload of " + target.name() + " was given up");
        }
        try {
            take(b, off, len);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    private void take(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (filled + stage.position() == spool.partSize()) {
                // a full part goes once more bytes come: a file of just a part's size is sent as itself at the close
                flushStage();
                handOff(false);
            }
            int n = (int) Math.min(len, Math.min(stage.remaining(), spool.partSize() - filled - stage.position()));
            stage.put(b, off, n);
            off += n;
            len -= n;
            if (!stage.hasRemaining()) {
                flushStage();
            }
        }
    }

    /** Sends what is left and completes the file; returns once it is whole in the container (else throws, having cleaned up). */
    void finish() throws IOException {
        long closed = System.nanoTime();
        try {
            flushStage();
            handOff(true);
            awaitSent();
            if (log.isDebugEnabled()) {
                log.debug("sftp upload of {}: {} part(s), spooled in {} ms, the last sent and joined {} ms after the close", target.name(), parts,
                        (closed - started) / 1_000_000, (System.nanoTime() - closed) / 1_000_000);
            }
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
        synchronized (this) {
            ended = true;
        }
        sender.shutdown();
        spool.close();
    }

    /** Gives the upload up: what is being sent stops, the hidden files in the container and the spool go (in the background). */
    void abort() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        cancelled = true;
        Joiner j = joiner;
        if (j != null) {
            j.process.close();
        }
        boolean madeHidden = parts > 1 || (parts == 1 && !lastSent);
        sender.execute(() -> {
            if (madeHidden) {
                removeHidden();
            }
            closeFilling();
            spool.close();
        });
        sender.shutdown();
    }

    private void flushStage() throws IOException {
        stage.flip();
        if (stage.hasRemaining() && filling == null) {
            filling = spool.part();
            if (cancelled) {
                closeFilling();
                throw new IOException("the upload of " + target.name() + " was given up");
            }
        }
        while (stage.hasRemaining()) {
            filled += filling.write(stage);
        }
        stage.clear();
    }

    /** Hands the spooled part to the sender, once the one before it was sent. */
    private void handOff(boolean last) throws IOException {
        awaitSent();
        if (cancelled) {
            throw new IOException("the upload of " + target.name() + " was given up");
        }
        FileChannel part = filling;
        long size = filled;
        int index = parts++;
        filling = null;
        filled = 0;
        lastSent = last && index == 0;
        sending = sender.submit(() -> {
            try {
                send(part, size, index, last);
            } finally {
                if (part != null) {
                    part.close();
                }
            }
            return null;
        });
        if (!last && !spool.grow()) {
            // no room for the next part while this one is sent: they take turns
            awaitSent();
        }
    }

    private void send(FileChannel part, long size, int index, boolean last) throws IOException {
        BooleanSupplier stop = () -> cancelled;
        if (index == 0 && last) {
            files.write(new ArchiveEntry(target.directory(), target.name(), target.uid(), target.gid(), mode, size), part, stop);
            return;
        }
        if (index == 0) {
            // writable by its owner while the parts are appended; its own mode comes at the end
            files.write(new ArchiveEntry(target.directory(), hidden, target.uid(), target.gid(), 0600, size), part, stop);
            return;
        }
        if (size > 0) {
            files.write(new ArchiveEntry(target.directory(), hidden + ".part", target.uid(), target.gid(), 0600, size), part, stop);
            joiner().call("a");
        }
        if (last) {
            joiner().call("e " + Integer.toOctalString(mode));
            joiner.end();
        }
    }

    private Joiner joiner() throws IOException {
        if (joiner == null) {
            joiner = new Joiner(launcher.start(new RemoteProcess.Spec(List.of("/bin/sh", "-c", JOIN, "sh", target.path(hidden),
                    target.path(hidden + ".part"), target.path(target.name())), false, Map.of(), 0, 0)));
        }
        if (cancelled) {
            joiner.process.close();
        }
        return joiner;
    }

    private void awaitSent() throws IOException {
        Future<?> f = sending;
        if (f == null) {
            return;
        }
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("the session ended while a part of " + target.name() + " was sent");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
        }
    }

    private void removeHidden() {
        try (ContainerProcess p = launcher.start(new RemoteProcess.Spec(List.of("rm", "-f", "--", target.path(hidden), target.path(hidden + ".part")),
                false, Map.of(), 0, 0))) {
            p.stdin().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = p.copyOutput(OutputStream.nullOutputStream(), err);
            if (code != 0) {
                log.warn("ssh: the parts of an abandoned upload of {} were not removed: {}", target.path(target.name()), err.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("ssh: the parts of an abandoned upload of {} were not removed: {}", target.path(target.name()), e.toString());
        }
    }

    private void closeFilling() {
        try {
            if (filling != null) {
                filling.close();
            }
        } catch (IOException e) {
            log.debug("closing an upload's spool: {}", e.toString());
        }
    }

    /** The process in the container that appends the parts: one line in, "ok" out, per step. */
    private final class Joiner {
        final ContainerProcess process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final ByteArrayOutputStream errors = new ByteArrayOutputStream();

        Joiner(ContainerProcess process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                int code = -1;
                try {
                    code = process.copyOutput(new LineSink(lines), errors);
                } catch (IOException e) {
                    log.debug("the joiner of {}: {}", target.name(), e.toString());
                } finally {
                    lines.add(ENDED + code);
                }
            }, "sftp-join");
            reader.setDaemon(true);
            reader.start();
        }

        void call(String step) throws IOException {
            process.stdin().write((step + "\n").getBytes(StandardCharsets.US_ASCII));
            process.stdin().flush();
            String answer = take();
            if (!answer.equals("ok")) {
                throw new IOException(failure());
            }
        }

        void end() throws IOException {
            process.stdin().close();
            String answer = take();
            process.close();
            if (!answer.equals(ENDED + "0")) {
                throw new IOException(failure());
            }
        }

        private String take() throws IOException {
            try {
                return lines.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("the upload of " + target.name() + " was given up");
            }
        }

        private String failure() {
            String why = errors.toString(StandardCharsets.UTF_8).strip();
            return cancelled ? "the upload of " + target.name() + " was given up" : why.isEmpty() ? "joining its parts in the container failed" : why;
        }
    }

    /** The process's output as lines. */
    private static final class LineSink extends OutputStream {
        private final BlockingQueue<String> lines;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineSink(BlockingQueue<String> lines) {
            this.lines = lines;
        }

        @Override
        public void write(int b) {
            if (b == '\n') {
                lines.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }
    }
}
