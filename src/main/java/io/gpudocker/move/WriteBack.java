package io.gpudocker.move;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts what a move's copy writes on the target's disk while the copy runs, and all of it before the move commits.
 *
 * <p>Unpacking is CPU work and leaves its files in the page cache; left there, the disk writes them later, all at once,
 * in whatever waits for them next: the stop of any container on that filesystem (unmounting an overlay syncs the
 * filesystem under it: 2 GB left dirty made a {@code docker stop} take 2.0 s instead of 0.25 s), or a crash that loses
 * what the committed record now names. So while a copy arrives, the filesystems it writes are synced back to back
 * ({@code sync -f}: one {@code syncfs} each), the disk working beside the unpacking; the final pass waits for one last
 * sync before it answers, and the source commits only after that answer.
 */
final class WriteBack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WriteBack.class);
    private static final long SYNC_LIMIT_SECONDS = 300;
    /** Between syncs: one that found nothing to write returns at once, and a process a turn would spin. */
    private static final long PAUSE_MILLIS = 250;

    private final List<String> command;
    private final Thread loop;
    private volatile boolean closed;

    private WriteBack(Collection<Path> dirs, String name) {
        this.command = command(dirs);
        this.loop = new Thread(this::run, "move-write-back-" + name);
        loop.setDaemon(true);
    }

    /** Syncs the filesystems of {@code dirs} back to back until closed. */
    static WriteBack during(Collection<Path> dirs, String name) {
        WriteBack w = new WriteBack(dirs, name);
        if (!dirs.isEmpty()) { // a rollback without volumes pulls nothing: `sync -f` with no operand would sync every filesystem
            w.loop.start();
        }
        return w;
    }

    /** One sync of the filesystems of {@code dirs}, waited for. */
    static void now(Collection<Path> dirs) throws IOException {
        if (!dirs.isEmpty()) {
            sync(command(dirs));
        }
    }

    private static List<String> command(Collection<Path> dirs) {
        List<String> cmd = new ArrayList<>(List.of("sync", "-f", "--"));
        dirs.forEach(d -> cmd.add(d.toString()));
        return cmd;
    }

    private void run() {
        while (!closed) {
            try {
                sync(command);
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                // the final pass's own sync reports a disk that fails; this one only starts the writing early
                log.debug("write-back while copying: {}", e.getMessage());
                return;
            }
        }
    }

    private static void sync(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(SYNC_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("sync of " + cmd.subList(3, cmd.size()) + " took over " + SYNC_LIMIT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("sync of " + cmd.subList(3, cmd.size()) + " failed (exit " + p.exitValue() + ")");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while syncing " + cmd.subList(3, cmd.size()), e);
        }
    }

    /** Whether the loop still runs (it ends after {@link #close()}, or at a sync that failed). */
    boolean running() {
        return loop.isAlive();
    }

    /** Ends the loop after the sync running now; does not wait for it (the next sync, if any, waits for the same writes). */
    @Override
    public void close() {
        closed = true;
    }
}
