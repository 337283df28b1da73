package io.gpudocker.docker;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A process started in a running container ({@code docker exec}) whose stdin, stdout and stderr are streams of
 * bytes, with or without a terminal: what a remote login needs, unlike {@link Shell}, whose input is keystrokes
 * and which never ends its input. Closing {@link #stdin()} is the process's end of input (EOF).
 */
public interface ContainerProcess extends AutoCloseable {

    /** What the process reads; closing it ends its input, as a pipe's writer closing would. */
    OutputStream stdin();

    /**
     * Copies the process's output until it ends: stdout to {@code out}, stderr to {@code err} (with a terminal,
     * both come as one stream to {@code out}). Flushes after each piece, so an interactive session sees it at once.
     *
     * @return the process's exit status; -1 where Docker cannot tell
     */
    int copyOutput(OutputStream out, OutputStream err) throws IOException;

    /** The terminal changed size (SIGWINCH for the process); ignored without a terminal. */
    void resize(int columns, int rows);

    /** Ends the session at once: the connection to the process is dropped (with a terminal, it gets SIGHUP). */
    @Override
    void close();
}
