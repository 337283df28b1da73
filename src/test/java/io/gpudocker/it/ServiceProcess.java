package io.gpudocker.it;

import io.gpudocker.config.GdaProperties;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The service as an operator starts it: the main class in a child process, with the command-line flags, against
 * the test rig (etcd, Docker and the nvidia-smi stand-in come from the environment the rig exports), under an
 * etcd prefix of its own so it sees nothing of the other tests.
 */
final class ServiceProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ServiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The flags of a service on loopback {@code httpPort} using the rig's Docker and GPU stand-in, with an admin token. */
    static List<String> rigFlags(int httpPort, GdaProperties props, String adminToken, String... extra) {
        return rigFlags(httpPort, props.docker().host(), props.gpu().nvidiaSmi(), adminToken, extra);
    }

    /** As {@link #rigFlags(int, GdaProperties, String, String...)}, on another engine and GPU stand-in (the rig's node 2). */
    static List<String> rigFlags(int httpPort, String dockerHost, String nvidiaSmi, String adminToken, String... extra) {
        List<String> flags = new ArrayList<>(List.of(
                "-a", "127.0.0.1:" + httpPort,
                "--gda.docker.host=" + dockerHost,
                "--gda.gpu.nvidia-smi=" + nvidiaSmi,
                "--gda.auth.admin-token=" + adminToken));
        flags.addAll(List.of(extra));
        return flags;
    }

    static ServiceProcess start(String name, String prefix, List<String> flags) throws IOException {
        // no test here maps container ports; the range only has to lie inside the rig's
        return start(name, prefix, "46800-46899", flags);
    }

    /** As {@link #start(String, String, List)}, with the host port range the service hands out. */
    static ServiceProcess start(String name, String prefix, String ports, List<String> flags) throws IOException {
        return start(name, prefix, System.getenv().getOrDefault("GDA_ETCD_ENDPOINTS", "127.0.0.1:2379"), ports, flags);
    }

    /** As {@link #start(String, String, String, List)}, against another etcd than the rig's. */
    static ServiceProcess start(String name, String prefix, String etcd, String ports, List<String> flags) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "io.gpudocker.GpuDockerApiApplication",
                "-e", etcd,
                "-p", ports,
                "--gda.etcd.prefix=" + prefix,
                "--gda.docker.stop-timeout=1s",
                // several services share the host: each SSH gateway on a free port of its own
                "--gda.ssh.addr=127.0.0.1:0"));
        cmd.addAll(flags);
        Path log = Path.of("target", name + "-" + System.currentTimeMillis() + ".log");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServiceProcess(p, log);
    }

    /** How long a start may take: 180 s, or GDA_IT_START_TIMEOUT_S (a machine shared by many runs starts slowly). */
    private static final long START_TIMEOUT_S = Long.parseLong(System.getenv().getOrDefault("GDA_IT_START_TIMEOUT_S", "180"));

    /** Waits until {@code up} holds; fails if the process exits first or the start timeout passes (a loaded machine starts slowly). */
    void awaitUp(BooleanSupplier up) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(START_TIMEOUT_S).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the service exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (up.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the service did not come up within " + START_TIMEOUT_S + " s; see " + log);
    }

    /** The exit status, once the process has ended by itself within {@code limit}. */
    int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the service still runs after " + limit + "; see " + log);
        }
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    File logFile() {
        return log.toFile();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, nothing is saved on the way out; returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the service survived SIGKILL for 30 s; see " + log);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
