package io.gpudocker.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process to completion under a hard time limit.
 *
 * <p>Both output streams are drained on their own threads while the caller waits, so a child that writes
 * more than a pipe holds never blocks; only the last {@value #TAIL_BYTES} bytes of each are kept. When the
 * limit passes, the child and everything it started are killed ({@code SIGKILL}) and {@link TimedOut} is
 * thrown. A non-zero exit is not an error here: it comes back in the {@link Result}, and
 * {@link #runOrFail} turns it into {@link Failed} for callers that only accept success.
 *
 * <p>The child's stdin is closed at once, so a command that unexpectedly reads it sees end of input
 * instead of waiting for the limit.
 */
public final class ProcessRunner {
    /** Children this runner may have running at once; null: no bound. */
    private final Semaphore slots;

    public ProcessRunner() {
        this(null);
    }

    /**
     * @param slots shared by the runners whose children are bounded together; a run waits for one before its child
     *              starts. The JDK keeps a platform thread waiting on each running child (and this runner two more
     *              reading its output), so the bound bounds those threads too.
     */
    public ProcessRunner(Semaphore slots) {
        this.slots = slots;
    }

    /** How much of each output stream is kept: enough for any error text, bounded for any output. */
    public static final int TAIL_BYTES = 64 * 1024;
    /** How many characters of the child's own error text a {@link Failed} message quotes. */
    private static final int MESSAGE_TAIL_CHARS = 2000;
    /**
     * How long the output is still read once the child has exited. Its output is already in the pipes by
     * then; only a stray background descendant holding them open could make the readers wait longer.
     */
    private static final Duration DRAIN_AFTER_EXIT = Duration.ofSeconds(2);
    /** How long a killed child is given to be reaped, so it is gone, not a zombie, when the caller hears of it. */
    private static final Duration REAP_AFTER_KILL = Duration.ofSeconds(5);

    /** What a finished child left: its exit code and the tails of its stdout and stderr (UTF-8). */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /** The child ran longer than allowed; it and its descendants were killed. */
    public static final class TimedOut extends RuntimeException {
        private final Duration timeout;
        private final String stderr;

        TimedOut(String program, Duration timeout, String stderr) {
            super(program + " did not finish within " + format(timeout) + "; it was killed" + quoted(stderr));
            this.timeout = timeout;
            this.stderr = stderr;
        }

        public Duration timeout() {
            return timeout;
        }

        /** The tail of what the child had written to stderr before it was killed. */
        public String stderr() {
            return stderr;
        }
    }

    /** The program could not be started at all: missing, not executable, or the system refused. */
    public static final class StartFailed extends RuntimeException {
        StartFailed(String program, IOException cause) {
            super(program + " could not be started: " + cause.getMessage(), cause);
        }
    }

    /** The waiting thread was interrupted; the child and its descendants were killed, the flag is set again. */
    public static final class Interrupted extends RuntimeException {
        Interrupted(String program, InterruptedException cause) {
            super(program + " was interrupted; it was killed", cause);
        }
    }

    /**
     * A command run by {@link #runOrFail} did not do its job: it exited non-zero, ran past its limit, could
     * not start or was interrupted. The message starts with the caller's purpose; the cause, where there is
     * one, is the runner's own exception.
     */
    public static final class Failed extends RuntimeException {
        private final int exitCode;

        Failed(String message, int exitCode, Throwable cause) {
            super(message, cause);
            this.exitCode = exitCode;
        }

        /** The child's exit code, or -1 where it never exited by itself. */
        public int exitCode() {
            return exitCode;
        }
    }

    /**
     * Runs {@code command} and waits for it at most {@code timeout}.
     *
     * @return the exit code and output tails, whatever the exit code
     * @throws TimedOut    when the limit passed; the process tree was killed
     * @throws StartFailed when the program could not be started
     * @throws Interrupted when the calling thread was interrupted; the process tree was killed
     */
    public Result run(List<String> command, Duration timeout) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command to run");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the time limit must be positive, not " + timeout);
        }
        String program = command.get(0);
        if (slots == null) {
            return runStarted(command, program, timeout);
        }
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted(program, e);
        }
        try {
            return runStarted(command, program, timeout);
        } finally {
            slots.release();
        }
    }

    private Result runStarted(List<String> command, String program, Duration timeout) {
        Process process = start(command, program);
        Drain stdout = Drain.start(process.getInputStream(), "stdout of " + program);
        Drain stderr = Drain.start(process.getErrorStream(), "stderr of " + program);
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                // read before the kill: a shell whose child is killed under it adds "Killed", which says nothing
                String said = stderr.text();
                killTree(process);
                process.waitFor(REAP_AFTER_KILL.toNanos(), TimeUnit.NANOSECONDS);
                throw new TimedOut(program, timeout, said);
            }
            stdout.await(DRAIN_AFTER_EXIT);
            stderr.await(DRAIN_AFTER_EXIT);
            return new Result(process.exitValue(), stdout.text(), stderr.text());
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new Interrupted(program, e);
        }
    }

    /**
     * Runs {@code command} for a caller that only accepts success, and returns its stdout tail.
     *
     * @param purpose what the command is for, as the start of a sentence ("copying x into y"); every
     *                failure message begins with it
     * @throws Failed on a non-zero exit (quoting the tail of stderr), a timeout, a failed start or an interruption
     */
    public String runOrFail(String purpose, List<String> command, Duration timeout) {
        Result result;
        try {
            result = run(command, timeout);
        } catch (TimedOut | StartFailed | Interrupted e) {
            throw new Failed(purpose + " failed: " + e.getMessage(), -1, e);
        }
        if (!result.succeeded()) {
            String said = result.stderr().isBlank() ? result.stdout() : result.stderr();
            throw new Failed(purpose + " failed: " + command.get(0) + " exited " + result.exitCode() + quoted(said),
                    result.exitCode(), null);
        }
        return result.stdout();
    }

    private static Process start(List<String> command, String program) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new StartFailed(program, e);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the child may already be gone; its stdin does not matter then
        }
        return process;
    }

    /**
     * Kills the descendants before the process itself: once the parent is gone its children are
     * re-parented and can no longer be found from it. The second sweep catches children forked while the
     * first was being killed.
     */
    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** "6h", "30s", "500ms": the unit people would write for a limit. */
    static String format(Duration d) {
        if (d.toMillis() % 1000 != 0 || d.isZero()) {
            return d.toMillis() + "ms";
        }
        long seconds = d.toSeconds();
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "min";
        }
        return seconds + "s";
    }

    private static String quoted(String said) {
        String text = said == null ? "" : said.strip();
        if (text.isEmpty()) {
            return "";
        }
        if (text.length() > MESSAGE_TAIL_CHARS) {
            text = "..." + text.substring(text.length() - MESSAGE_TAIL_CHARS);
        }
        return ": " + text;
    }

    /** Reads one output stream to its end on a daemon thread, keeping only its tail. */
    private static final class Drain implements Runnable {
        private final InputStream in;
        private final byte[] ring = new byte[TAIL_BYTES];
        private long total;
        private final Thread thread;

        private Drain(InputStream in, String name) {
            this.in = in;
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true);
        }

        static Drain start(InputStream in, String name) {
            Drain drain = new Drain(in, name);
            drain.thread.start();
            return drain;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    append(buffer, n);
                }
            } catch (IOException ignored) {
                // the pipe closes under us when the child is killed; what was read so far is kept
            }
        }

        private synchronized void append(byte[] buffer, int n) {
            for (int i = 0; i < n; i++) {
                ring[(int) ((total + i) % TAIL_BYTES)] = buffer[i];
            }
            total += n;
        }

        void await(Duration limit) throws InterruptedException {
            thread.join(Math.max(1, limit.toMillis()));
        }

        synchronized String text() {
            int kept = (int) Math.min(total, TAIL_BYTES);
            byte[] tail = new byte[kept];
            int start = (int) ((total - kept) % TAIL_BYTES);
            for (int i = 0; i < kept; i++) {
                tail[i] = ring[(start + i) % TAIL_BYTES];
            }
            return new String(tail, StandardCharsets.UTF_8);
        }
    }
}
