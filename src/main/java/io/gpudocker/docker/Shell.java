package io.gpudocker.docker;

/**
 * An interactive process with a terminal in a container ({@code docker exec -it}): what is typed goes in with
 * {@link #send}, the terminal's output goes to the {@link Output} it was opened with, until the process ends or
 * the shell is closed.
 */
public interface Shell extends AutoCloseable {

    /** Where the terminal's output goes, and the news that the process ended. */
    interface Output {
        void write(byte[] bytes);

        void ended();
    }

    /** Keystrokes (and pasted text) for the process. */
    void send(byte[] input);

    /** The browser's terminal changed size: the process sees the new size (SIGWINCH). */
    void resize(int columns, int rows);

    /** Ends the session: the process loses its terminal (and with it, a shell, its life). */
    @Override
    void close();
}
