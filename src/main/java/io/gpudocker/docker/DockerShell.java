package io.gpudocker.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code docker exec} with a TTY and stdin attached. Keystrokes are queued for the stream docker-java copies
 * to the hijacked connection; a queue rather than piped streams, since a pipe fails once the thread that last
 * wrote to it ends, and keystrokes arrive on whichever web thread received them.
 */
final class DockerShell implements Shell {
    private static final Logger log = LoggerFactory.getLogger(DockerShell.class);
    private static final byte[] END = new byte[0];

    private final DockerClient docker;
    private final String execId;
    private final KeystrokeStream stdin = new KeystrokeStream();
    private final ResultCallback.Adapter<Frame> stdout;

    private DockerShell(DockerClient docker, String execId, Output output) {
        this.docker = docker;
        this.execId = execId;
        this.stdout = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                output.write(frame.getPayload());
            }

            @Override
            public void onError(Throwable failure) {
                log.debug("terminal session {} failed: {}", execId, failure.toString());
                super.onError(failure);
            }

            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    stdin.end();
                    output.ended();
                }
            }
        };
    }

    /** Creates the exec in the container and starts it attached; its output flows from now on. */
    static DockerShell start(DockerClient docker, String container, java.util.List<String> cmd, int columns, int rows, Output output) {
        String execId = docker.execCreateCmd(container).withTty(true).withAttachStdin(true).withAttachStdout(true).withAttachStderr(true)
                .withEnv(java.util.List.of("TERM=xterm-256color")).withCmd(cmd.toArray(String[]::new)).exec().getId();
        DockerShell shell = new DockerShell(docker, execId, output);
        docker.execStartCmd(execId).withTty(true).withStdIn(shell.stdin).exec(shell.stdout);
        shell.resize(columns, rows);
        return shell;
    }

    @Override
    public void send(byte[] input) {
        if (input.length > 0) {
            stdin.queue.add(input);
        }
    }

    @Override
    public void resize(int columns, int rows) {
        try {
            docker.resizeExecCmd(execId).withSize(rows, columns).exec();
        } catch (RuntimeException e) {
            // the process may have just ended, or not have its terminal yet: the next resize tries again
            log.debug("resize of terminal session {} failed: {}", execId, e.toString());
        }
    }

    @Override
    public void close() {
        stdin.end();
        try {
            stdout.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing terminal session {}: {}", execId, e.toString());
        }
    }

    /** stdin of the exec: blocks until a keystroke is queued; ends (EOF) when the session does. */
    private static final class KeystrokeStream extends InputStream {
        private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        private byte[] current = new byte[0];
        private int position;
        private volatile boolean ended;

        void end() {
            ended = true;
            queue.add(END);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (position >= current.length) {
                if (ended && queue.isEmpty()) {
                    return -1;
                }
                try {
                    current = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
                position = 0;
                if (current == END) {
                    return -1;
                }
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            return current.length - position;
        }
    }
}
