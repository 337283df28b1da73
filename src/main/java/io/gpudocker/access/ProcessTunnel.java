package io.gpudocker.access;

import io.gpudocker.docker.ContainerProcess;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The owner's end of a process another node's SSH session runs here: its streams as {@link ProcessFrames} on the switched connection. */
public final class ProcessTunnel implements HttpUpgradeHandler {
    private static final Logger log = LoggerFactory.getLogger(ProcessTunnel.class);
    private ContainerProcess process;
    private String name;
    private volatile WebConnection connection;

    /** The servlet container makes the handler; the process is handed to it before the 101 goes out. */
    public ProcessTunnel() {}

    void attach(ContainerProcess process, String name) {
        this.process = process;
        this.name = name;
    }

    @Override
    public void init(WebConnection wc) {
        connection = wc;
        try {
            DataInputStream in = new DataInputStream(wc.getInputStream());
            DataOutputStream out = new DataOutputStream(wc.getOutputStream());
            Thread input = new Thread(() -> input(in), "ssh-hop-in-" + name);
            input.setDaemon(true);
            input.start();
            Thread output = new Thread(() -> output(out), "ssh-hop-out-" + name);
            output.setDaemon(true);
            output.start();
        } catch (IOException e) {
            log.debug("process hop for {} could not start: {}", name, e.toString());
            destroy();
        }
    }

    private void input(DataInputStream in) {
        try {
            while (true) {
                ProcessFrames.Frame f = ProcessFrames.read(in);
                switch (f.kind()) {
                    case ProcessFrames.STDIN -> {
                        process.stdin().write(f.data());
                        process.stdin().flush();
                    }
                    case ProcessFrames.STDIN_END -> process.stdin().close();
                    case ProcessFrames.RESIZE -> {
                        ByteBuffer size = ByteBuffer.wrap(f.data());
                        process.resize(size.getInt(), size.getInt());
                    }
                    default -> throw new IOException("an unknown process frame " + f.kind());
                }
            }
        } catch (IOException e) {
            log.debug("process hop input for {} ended: {}", name, e.toString());
        } finally {
            // the other node closes its end once it has the exit status (or left): then this end closes
            destroy();
        }
    }

    private void output(DataOutputStream out) {
        try {
            int status = process.copyOutput(ProcessFrames.framing(out, ProcessFrames.STDOUT), ProcessFrames.framing(out, ProcessFrames.STDERR));
            byte[] exit = ByteBuffer.allocate(4).putInt(status).array();
            ProcessFrames.write(out, ProcessFrames.EXIT, exit, 0, exit.length);
        } catch (IOException e) {
            log.debug("process hop output for {} ended: {}", name, e.toString());
        } finally {
            // the connection stays until the other node closed it: closing it here with its input unread could
            // reset it and lose the exit status on the way
            process.close();
        }
    }

    @Override
    public void destroy() {
        process.close();
        WebConnection c = connection;
        if (c != null) {
            UpgradedConnections.close(c);
        }
    }
}
