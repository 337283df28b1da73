package io.gpudocker.access;

import io.gpudocker.api.ApiException;
import io.gpudocker.docker.ContainerProcess;
import io.gpudocker.replicaset.SessionSlots;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.channel.ChannelSessionAware;
import org.apache.sshd.server.command.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A login shell or a command of an SSH session, run in the instance's container through {@code docker exec}: with a
 * terminal where the client asked for one (window changes resize it; ^C and the like act through it, as on any
 * terminal), else with separate stdout and stderr and the client's end of input passed on. The exit status goes back
 * to the client. Each holds one of the tenant's terminal slots while it runs.
 */
final class ContainerCommand implements Command, ChannelSessionAware {
    private static final Logger log = LoggerFactory.getLogger(ContainerCommand.class);
    /** bash where the image has it, else sh: a login shell either way (as the console's terminal). */
    static final List<String> LOGIN_SHELL = List.of("/bin/sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi");

    private final ProcessHop processes;
    private final SessionSlots slots;
    private final AccessMeter meter;
    private final List<String> cmd;
    private final String what;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile ContainerProcess process;
    private volatile Thread worker;

    /** @param cmd what to run; {@link #LOGIN_SHELL} for a shell */
    ContainerCommand(ProcessHop processes, SessionSlots slots, AccessMeter meter, List<String> cmd, String what) {
        this.processes = processes;
        this.slots = slots;
        this.meter = meter;
        this.cmd = cmd;
        this.what = what;
    }

    /** The client's input comes through {@link ChannelInput} rather than the library's pipe (called before the streams are set). */
    @Override
    public void setChannelSession(ChannelSession channel) {
        ChannelInput input = new ChannelInput(channel.getLocalWindow());
        channel.setDataReceiver(input);
        this.in = input;
    }

    @Override
    public void setInputStream(InputStream in) {
        // not called: the channel's data goes to the ChannelInput set above
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback exit) {
        this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        SshLogin login = channel.getSession().getAttribute(SshLogin.KEY);
        boolean tty = !env.getPtyModes().isEmpty() || env.getEnv().containsKey(Environment.ENV_COLUMNS);
        // the exec and its streams block: never on the SSH library's own threads
        worker = new Thread(() -> run(login, env, tty), "ssh-" + login.replicaSet());
        worker.setDaemon(true);
        worker.start();
    }

    private void run(SshLogin login, Environment env, boolean tty) {
        String tenant = login.caller().tenantName();
        int status = 1;
        try (SessionSlots.Slot slot = slots.acquire(login.caller())) {
            ProcessHop.Launcher launcher = processes.launcher(login);
            Map<String, String> vars = new HashMap<>();
            if (tty) {
                vars.put("TERM", env.getEnv().getOrDefault(Environment.ENV_TERM, "xterm-256color"));
            }
            process = launcher.start(new RemoteProcess.Spec(cmd, tty, vars, dimension(env, Environment.ENV_COLUMNS, 80), dimension(env, Environment.ENV_LINES, 24)));
            env.addSignalListener((channel, signal) -> process.resize(dimension(env, Environment.ENV_COLUMNS, 80), dimension(env, Environment.ENV_LINES, 24)), Signal.WINCH);
            log.info("ssh: {} in instance {} opened by {}", what, login.replicaSet(), login.caller().name());
            Thread input = new Thread(() -> copyInput(tty, tenant), "ssh-in-" + login.replicaSet());
            input.setDaemon(true);
            input.start();
            status = process.copyOutput(meter.counting(out, tenant, "ssh"), meter.counting(err, tenant, "ssh"));
            log.info("ssh: {} in instance {} of {} ended, exit {}", what, login.replicaSet(), login.caller().name(), status);
        } catch (ApiException e) {
            say(e.getMessage(), tty);
        } catch (IOException | RuntimeException e) {
            log.warn("ssh: {} in instance {} failed: {}", what, login.replicaSet(), e.toString());
            say("the session could not start: " + e.getMessage(), tty);
        } finally {
            ContainerProcess p = process;
            if (p != null) {
                p.close();
            }
            exit.onExit(status < 0 ? 255 : status);
        }
    }

    /**
     * The client's input to the process. Without a terminal its end is the process's end of input; a terminal has no
     * end of input (the user types ^D), so there it is not passed on, as sshd does.
     */
    private void copyInput(boolean tty, String tenant) {
        byte[] buffer = new byte[32 * 1024];
        OutputStream stdin = process.stdin();
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (n > 0) {
                    stdin.write(buffer, 0, n);
                    meter.add(tenant, "ssh", n);
                }
            }
            if (!tty) {
                stdin.close();
            }
        } catch (IOException e) {
            log.debug("ssh input ended: {}", e.toString());
        }
    }

    private void say(String message, boolean tty) {
        try {
            err.write(("gpu-docker-api: " + message + (tty ? "\r\n" : "\n")).getBytes(StandardCharsets.UTF_8));
            err.flush();
        } catch (IOException e) {
            log.debug("ssh client left before the refusal: {}", e.toString());
        }
    }

    private static int dimension(Environment env, String name, int fallback) {
        try {
            int n = Integer.parseInt(env.getEnv().getOrDefault(name, ""));
            return n >= 2 && n <= 1000 ? n : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        try {
            if (in != null) {
                in.close(); // the input's reader ends, whether or not the client sent its end of input
            }
        } catch (IOException e) {
            log.debug("closing an ssh session's input: {}", e.toString());
        }
        ContainerProcess p = process;
        if (p != null) {
            p.close();
        }
    }
}
