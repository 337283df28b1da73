package io.gpudocker.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient.Request;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link ContainerEngine} on docker-java. Connectivity failures, and answers that do not come within the call's
 * bound ({@link DockerTimeouts}), become {@link EngineUnavailableException} (503).
 */
public class DockerContainerEngine implements ContainerEngine, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DockerContainerEngine.class);
    private static final int MAX_EXEC_OUTPUT = 1 << 20;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DockerClient docker;
    private final DockerHttpClient http;
    private final Set<ResultCallback.Adapter<Frame>> openStreams = ConcurrentHashMap.newKeySet();
    private final BoundedCalls bounded = new BoundedCalls();
    private final String host;
    private final DockerTimeouts timeouts;
    private final ContainerHardening hardening;
    private final StopGrace stopGrace;

    /**
     * @param hardening applied to every container created here, so no caller can leave it out
     * @param stopGrace whether a stop waits {@link DockerTimeouts#stop()} for the container's processes or kills at once
     */
    public DockerContainerEngine(DockerClient docker, DockerHttpClient http, String host, DockerTimeouts timeouts, ContainerHardening hardening,
                                 StopGrace stopGrace) {
        this.docker = docker;
        this.http = http;
        this.host = host;
        this.timeouts = timeouts;
        this.hardening = hardening;
        this.stopGrace = stopGrace;
    }

    @Override
    public Optional<Map<String, String>> imageLabels(String image) {
        return call("inspect image " + image, () -> {
            try {
                var config = docker.inspectImageCmd(image).exec().getConfig();
                Map<String, String> labels = config == null ? null : config.getLabels();
                return Optional.of(labels == null ? Map.<String, String>of() : labels);
            } catch (NotFoundException e) {
                return Optional.<Map<String, String>>empty();
            }
        });
    }

    @Override
    public String create(ContainerSpec spec) {
        return call("create container " + spec.name(), timeouts.work(), () -> {
            Ports ports = new Ports();
            List<ExposedPort> exposed = new ArrayList<>();
            spec.portBindings().forEach((containerPort, hostPort) -> {
                ExposedPort port = ExposedPort.parse(containerPort);
                exposed.add(port);
                ports.bind(port, Ports.Binding.bindPort(hostPort));
            });
            HostConfig hostConfig = hardening.applyTo(HostConfig.newHostConfig()
                    .withInit(spec.init())
                    .withPortBindings(ports)
                    .withBinds(spec.binds().stream().map(Bind::parse).toList()));
            if (!spec.gpuUuids().isEmpty()) {
                // UUIDs, never Count alongside them: indexes are renumbered inside containers.
                hostConfig.withDeviceRequests(List.of(new DeviceRequest()
                        .withDriver("nvidia")
                        .withDeviceIds(spec.gpuUuids())
                        .withCapabilities(List.of(List.of("gpu")))));
            }
            applyLimits(spec, hostConfig);
            CreateContainerCmd cmd = docker.createContainerCmd(spec.image())
                    .withName(spec.name())
                    .withEnv(spec.env())
                    .withLabels(spec.labels())
                    .withExposedPorts(exposed)
                    .withTty(true)
                    .withStdinOpen(true)
                    .withHostConfig(hostConfig);
            if (spec.cmd() != null && !spec.cmd().isEmpty()) {
                cmd.withCmd(spec.cmd());
            }
            return cmd.exec().getId();
        });
    }

    /** Cores, memory (swap equal to it: no swap on top) and /dev/shm, each only where the spec sets one. */
    private static void applyLimits(ContainerSpec spec, HostConfig hostConfig) {
        if (spec.cpusetCpus() != null && !spec.cpusetCpus().isEmpty()) {
            hostConfig.withCpusetCpus(spec.cpusetCpus());
        }
        if (spec.memory() > 0) {
            hostConfig.withMemory(spec.memory()).withMemorySwap(spec.memory());
        }
        if (spec.shmSize() > 0) {
            hostConfig.withShmSize(spec.shmSize());
        }
    }

    @Override
    public void start(String nameOrId) {
        inspectJson(nameOrId).ifPresent(c -> requireProgramUnderInit(nameOrId, c));
        call("start container " + nameOrId, timeouts.work(), () -> {
            try {
                docker.startContainerCmd(nameOrId).exec();
            } catch (NotModifiedException alreadyRunning) {
                // starting a running container is a no-op
            }
            return null;
        });
    }

    /**
     * Without an init, Docker refuses to start a container whose program does not exist; under Docker's init
     * the start succeeds and the init exits 127 at once. So a container with the init that is about to start
     * has its program looked up first, and is refused as Docker would refuse it without the init.
     */
    private void requireProgramUnderInit(String nameOrId, JsonNode c) {
        if (!c.path("HostConfig").path("Init").asBoolean(false) || c.path("State").path("Running").asBoolean(false)) {
            return;
        }
        JsonNode config = c.path("Config");
        JsonNode argv = config.path("Entrypoint").isArray() && !config.path("Entrypoint").isEmpty() ? config.path("Entrypoint") : config.path("Cmd");
        if (!argv.isArray() || argv.isEmpty()) {
            return; // Docker refuses a container with no command on its own
        }
        String program = argv.get(0).asString();
        List<String> env = new ArrayList<>();
        config.path("Env").forEach(e -> env.add(e.asString()));
        for (String candidate : CommandPaths.candidates(program, env, config.path("WorkingDir").asString(""))) {
            if (existsIn(c.path("Id").asString(), candidate)) {
                return;
            }
        }
        throw new EngineException(400, "Docker refused to start container " + nameOrId + ": exec: \"" + program + "\": "
                + (program.contains("/") ? "no such file or directory" : "executable file not found in $PATH"), null);
    }

    /** Whether the path exists in the container's filesystem; true where Docker cannot tell (the start then decides). */
    private boolean existsIn(String containerId, String path) {
        // Docker mounts the container's filesystem to answer: work, not an instant answer, under a burst of creates
        return call("look up " + path + " in container " + containerId, timeouts.work(), () -> {
            // docker-java has no HEAD request: the archive's answer is read no further than its status
            Request request = Request.builder().method(Request.Method.GET)
                    .path("/containers/" + containerId + "/archive?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8)).build();
            try (DockerHttpClient.Response response = http.execute(request)) {
                return response.getStatusCode() != 404;
            }
        });
    }

    @Override
    public void stop(String nameOrId) {
        if (!graceHelps(nameOrId)) {
            kill(nameOrId);
            return;
        }
        call("stop container " + nameOrId, timeouts.stopping(), () -> {
            try {
                docker.stopContainerCmd(nameOrId).withTimeout((int) timeouts.stop().toSeconds()).exec();
            } catch (NotModifiedException alreadyStopped) {
                // stopping a stopped container is a no-op
            }
            return null;
        });
    }

    /**
     * Whether a stop should send SIGTERM and wait the grace period ({@link StopGrace}). Where it should not,
     * SIGKILL alone ends the container as the grace period would have; sending SIGTERM first would cost one
     * more signal through containerd and runc for nothing.
     */
    private boolean graceHelps(String nameOrId) {
        Optional<JsonNode> inspected = inspectJson(nameOrId);
        if (inspected.isEmpty() || !inspected.get().path("State").path("Running").asBoolean(false)) {
            return true;
        }
        JsonNode c = inspected.get();
        StopGrace.Decision decision = stopGrace.decide(new StopGrace.Target(c.path("Id").asString(), c.path("State").path("Pid").asLong(0),
                c.path("HostConfig").path("Init").asBoolean(false), c.path("Config").path("StopSignal").asString(null)));
        log.debug("stopping container {} {}: {}", nameOrId, decision.grace() ? "with its grace period" : "by SIGKILL", decision.reason());
        return decision.grace();
    }

    private void kill(String nameOrId) {
        ConflictException refused = call("kill container " + nameOrId, timeouts.work(), () -> {
            try {
                docker.killContainerCmd(nameOrId).exec();
                return null;
            } catch (ConflictException e) {
                return e;
            }
        });
        // Docker refuses to kill a container that is not running: it may have stopped since it was inspected
        if (refused != null && inspect(nameOrId).map(ContainerView::running).orElse(false)) {
            throw new EngineException(refused.getHttpStatus(), "Docker refused to kill container " + nameOrId + ": " + firstLine(refused.getMessage()), refused);
        }
    }

    @Override
    public void pause(String nameOrId) {
        call("pause container " + nameOrId, () -> {
            try {
                docker.pauseContainerCmd(nameOrId).exec();
            } catch (NotModifiedException alreadyPaused) {
                // pausing a paused container is a no-op
            }
            return null;
        });
    }

    @Override
    public void unpause(String nameOrId) {
        call("unpause container " + nameOrId, () -> {
            try {
                docker.unpauseContainerCmd(nameOrId).exec();
            } catch (NotModifiedException notPaused) {
                // thawing a container that is not paused is a no-op
            }
            return null;
        });
    }

    @Override
    public void remove(String nameOrId) {
        call("remove container " + nameOrId, timeouts.work(), () -> {
            try {
                docker.removeContainerCmd(nameOrId).withForce(true).withRemoveVolumes(false).exec();
            } catch (NotFoundException gone) {
                // already gone is what we wanted
            }
            return null;
        });
    }

    /**
     * One raw round trip: docker-java does not model GraphDriver.Data.UpperDir, and the raw answer holds
     * everything else the view needs too.
     */
    @Override
    public Optional<ContainerView> inspect(String nameOrId) {
        return inspectJson(nameOrId).map(DockerContainerEngine::view);
    }

    private Optional<JsonNode> inspectJson(String nameOrId) {
        return call("inspect container " + nameOrId, () -> {
            Request request = Request.builder().method(Request.Method.GET).path("/containers/" + nameOrId + "/json").build();
            try (DockerHttpClient.Response response = http.execute(request)) {
                if (response.getStatusCode() == 404) {
                    return Optional.empty();
                }
                JsonNode body = JSON.readTree(response.getBody());
                if (response.getStatusCode() != 200) {
                    throw new EngineException(response.getStatusCode(), "Docker refused to inspect container " + nameOrId + ": "
                            + body.path("message").asString(""), null);
                }
                return Optional.of(body);
            }
        });
    }

    @Override
    public Optional<ContainerSettings> settings(String nameOrId) {
        return inspectJson(nameOrId).map(DockerContainerEngine::settings);
    }

    @Override
    public List<ContainerView> listByLabels(Map<String, String> labels) {
        return call("list containers", () -> {
            List<Container> found = docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec();
            return found.stream().map(c -> new ContainerView(c.getId(), name(c.getNames()), c.getStatus(),
                    "running".equals(c.getState()), c.getLabels(), null, null, "paused".equals(c.getState()), null, null)).toList();
        });
    }

    @Override
    public ExecResult exec(String nameOrId, String workDir, List<String> cmd, Duration timeout) {
        ExecCreateCmdResponse exec = call("exec in " + nameOrId, () -> {
            var create = docker.execCreateCmd(nameOrId).withAttachStdout(true).withAttachStderr(true).withCmd(cmd.toArray(String[]::new));
            if (workDir != null && !workDir.isBlank()) {
                create.withWorkingDir(workDir);
            }
            return create.exec();
        });
        // the output streams for as long as the command runs, bounded by its own timeout
        return call("exec in " + nameOrId, null, () -> {
            StringBuilder out = new StringBuilder();
            ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame frame) {
                    synchronized (out) {
                        if (out.length() < MAX_EXEC_OUTPUT) {
                            out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    }
                }
            };
            docker.execStartCmd(exec.getId()).exec(callback);
            boolean done;
            try {
                done = callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            } finally {
                closeQuietly(callback);
            }
            Long exit = done ? call("exit code of exec in " + nameOrId, () -> docker.inspectExecCmd(exec.getId()).exec().getExitCodeLong()) : null;
            synchronized (out) {
                return new ExecResult(out.toString(), exit == null ? -1 : exit, !done);
            }
        });
    }

    @Override
    public List<ImageView> listImages() {
        return call("list images", () -> docker.listImagesCmd().exec().stream()
                .map(i -> new ImageView(i.getId(), i.getRepoTags() == null ? List.of() : List.of(i.getRepoTags()),
                        i.getCreated() == null ? null : java.time.Instant.ofEpochSecond(i.getCreated()),
                        i.getSize() == null ? 0 : i.getSize(), i.getLabels()))
                .toList());
    }

    @Override
    public Shell openShell(String nameOrId, List<String> cmd, int columns, int rows, Shell.Output output) {
        return call("terminal in " + nameOrId, () -> DockerShell.start(docker, nameOrId, cmd, columns, rows, output));
    }

    @Override
    public String commit(String nameOrId, String imageName) {
        // as long as the container's changes are large: not bounded (the replicaset's lock is held meanwhile)
        return call("commit " + nameOrId, null, () -> {
            int colon = imageName.lastIndexOf(':');
            boolean hasTag = colon > imageName.lastIndexOf('/');
            var cmd = docker.commitCmd(nameOrId).withRepository(hasTag ? imageName.substring(0, colon) : imageName)
                    .withTag(hasTag ? imageName.substring(colon + 1) : "latest");
            return cmd.exec();
        });
    }

    @Override
    public void logs(String nameOrId, int tail, boolean follow, Duration idleTimeout, OutputStream out) {
        LogCopy copy = new LogCopy(out);
        openStreams.add(copy);
        try {
            call("logs of " + nameOrId, null, () -> {
                var cmd = docker.logContainerCmd(nameOrId).withStdOut(true).withStdErr(true).withFollowStream(follow);
                if (tail >= 0) {
                    cmd.withTail(tail);
                }
                return cmd.exec(copy);
            });
            if (copy.endsBeforeIdle(idleTimeout)) {
                copy.awaitCompletion(); // passes on a failure of the stream
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            openStreams.remove(copy);
            closeQuietly(copy);
        }
    }

    /**
     * Copies frames to the client and notes when the last one came. A client that left is only noticed when a
     * write fails, so a silent container would hold the stream (and the caller's worker thread) forever: the
     * caller gives up after an idle timeout.
     */
    private static final class LogCopy extends ResultCallback.Adapter<Frame> {
        private final OutputStream out;
        private final AtomicLong lastOutput = new AtomicLong(System.nanoTime());
        // docker-java's timed awaitCompletion closes the stream when it times out, so the end is watched here
        private final CountDownLatch ended = new CountDownLatch(1);

        LogCopy(OutputStream out) {
            this.out = out;
        }

        @Override
        public void onNext(Frame frame) {
            lastOutput.set(System.nanoTime());
            try {
                out.write(frame.getPayload());
                out.flush();
            } catch (IOException clientLeft) {
                closeQuietly(this);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                super.close(); // also what completion, a failure and closeQuietly end in
            } finally {
                ended.countDown();
            }
        }

        /** Waits for the end of the stream: true when it ended, false when nothing came for {@code idleTimeout}. */
        boolean endsBeforeIdle(Duration idleTimeout) throws InterruptedException {
            long idleNanos = idleTimeout.toNanos();
            long checkMillis = Math.max(10, Math.min(1000, idleTimeout.toMillis() / 10));
            while (!ended.await(checkMillis, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() - lastOutput.get() >= idleNanos) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Ends the followed log streams still open, so shutting down does not wait for their clients. */
    @Override
    public void close() {
        openStreams.forEach(DockerContainerEngine::closeQuietly);
    }

    @Override
    public EngineInfo info() {
        return call("info", () -> {
            Info info = docker.infoCmd().exec();
            String backing = null;
            if (info.getDriverStatuses() != null) {
                for (List<String> pair : info.getDriverStatuses()) {
                    if (pair.size() == 2 && "Backing Filesystem".equals(pair.get(0))) {
                        backing = pair.get(1);
                    }
                }
            }
            return new EngineInfo(info.getServerVersion(), info.getDriver(), backing, info.getDockerRootDir());
        });
    }

    /**
     * Docker makes its default bridge network afresh each time it starts, after it has stopped the containers
     * that were running when it went away; its creation time is therefore the moment this daemon started.
     */
    @Override
    public Optional<Instant> startedAt() {
        return call("inspect network bridge", () -> {
            Request request = Request.builder().method(Request.Method.GET).path("/networks/bridge").build();
            try (DockerHttpClient.Response response = http.execute(request)) {
                if (response.getStatusCode() != 200) {
                    return Optional.<Instant>empty();
                }
                return Optional.ofNullable(instant(JSON.readTree(response.getBody()).path("Created").asString(null)));
            }
        });
    }

    @Override
    public void ping() {
        call("ping", () -> docker.pingCmd().exec());
    }

    @Override
    public VolumeView createVolume(String name, Map<String, String> driverOpts, Map<String, String> labels) {
        return call("create volume " + name, timeouts.work(), () -> {
            var r = docker.createVolumeCmd().withName(name).withDriver("local").withDriverOpts(driverOpts).withLabels(labels).exec();
            return new VolumeView(r.getName(), r.getDriver(), r.getMountpoint(), labels, driverOpts);
        });
    }

    @Override
    public Optional<VolumeView> inspectVolume(String name) {
        return call("inspect volume " + name, () -> {
            try {
                InspectVolumeResponse r = docker.inspectVolumeCmd(name).exec();
                return Optional.of(new VolumeView(r.getName(), r.getDriver(), r.getMountpoint(), r.getLabels(), r.getOptions()));
            } catch (NotFoundException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void removeVolume(String name) {
        call("remove volume " + name, timeouts.work(), () -> {
            try {
                docker.removeVolumeCmd(name).exec();
            } catch (NotFoundException gone) {
                // nothing to remove
            }
            return null;
        });
    }

    @Override
    public List<VolumeView> listVolumesByLabels(Map<String, String> labels) {
        return call("list volumes", () -> {
            List<String> filter = labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
            var volumes = docker.listVolumesCmd().withFilter("label", filter).exec().getVolumes();
            return volumes == null ? List.<VolumeView>of() : volumes.stream()
                    .map(v -> new VolumeView(v.getName(), v.getDriver(), v.getMountpoint(), v.getLabels(), v.getOptions())).toList();
        });
    }

    @Override
    public List<String> containersUsingVolume(String name) {
        return call("list containers using volume " + name, () -> docker.listContainersCmd().withShowAll(true)
                .withVolumeFilter(List.of(name)).exec().stream().map(c -> name(c.getNames())).toList());
    }

    private static ContainerView view(JsonNode r) {
        JsonNode state = r.path("State");
        String driver = r.path("GraphDriver").path("Name").asString(null);
        JsonNode upper = r.path("GraphDriver").path("Data").path("UpperDir");
        Map<String, String> labels = new LinkedHashMap<>();
        r.path("Config").path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
        boolean paused = state.path("Paused").asBoolean(false);
        String status = state.path("Status").asString("unknown");
        boolean exited = !state.path("Running").asBoolean(false) && !"created".equals(status);
        return new ContainerView(r.path("Id").asString(), stripSlash(r.path("Name").asString()), status,
                state.path("Running").asBoolean(false) && !paused, labels, driver, upper.isString() ? upper.asString() : null,
                paused, exited ? Integer.valueOf(state.path("ExitCode").asInt(0)) : null, instant(state.path("FinishedAt").asString(null)));
    }

    /** Docker writes 0001-01-01T00:00:00Z for a container that never stopped. */
    private static Instant instant(String text) {
        if (text == null || text.startsWith("0001-")) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static ContainerSettings settings(JsonNode r) {
        JsonNode config = r.path("Config");
        JsonNode host = r.path("HostConfig");
        List<String> gpus = new ArrayList<>();
        host.path("DeviceRequests").forEach(d -> d.path("DeviceIDs").forEach(id -> gpus.add(id.asString())));
        Map<String, Integer> ports = new LinkedHashMap<>();
        host.path("PortBindings").properties().forEach(e -> {
            JsonNode first = e.getValue().path(0).path("HostPort");
            if (first.isString() && first.asString().matches("\\d{1,5}")) {
                ports.put(e.getKey(), Integer.parseInt(first.asString()));
            }
        });
        return new ContainerSettings(config.path("Image").asString(null), strings(config.path("Cmd")), strings(config.path("Env")),
                strings(host.path("Binds")), gpus, ports);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }

    private static String name(String[] names) {
        return names == null || names.length == 0 ? null : stripSlash(names[0]);
    }

    private static String stripSlash(String name) {
        return name != null && name.startsWith("/") ? name.substring(1) : name;
    }

    private static void closeQuietly(ResultCallback.Adapter<Frame> callback) {
        try {
            callback.close();
        } catch (IOException | RuntimeException ignored) {
            // closing a finished stream may fail; nothing to do about it
        }
    }

    /** A call Docker answers at once: bounded by the response timeout. */
    private <T> T call(String what, Supplier<T> action) {
        return call(what, timeouts.response(), action);
    }

    /** @param bound how long to wait for the answer; null for a call whose length follows the data */
    private <T> T call(String what, Duration bound, Supplier<T> action) {
        try {
            return bound == null ? action.get() : bounded.call(bound, action);
        } catch (TimeoutException e) {
            throw new EngineUnavailableException("the Docker engine at " + host + " did not answer within " + bound.toMillis() + " ms (" + what + ")", e);
        } catch (DockerException e) {
            throw new EngineException(e.getHttpStatus(), "Docker refused to " + what + ": " + firstLine(e.getMessage()), e);
        } catch (RuntimeException e) {
            if (causedByIo(e)) {
                throw new EngineUnavailableException("the Docker engine at " + host + " is unreachable (" + what + "): " + rootMessage(e), e);
            }
            throw e;
        }
    }

    private static boolean causedByIo(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replaceFirst("^Status \\d+: ", "").trim();
        int brace = t.indexOf('{');
        if (brace >= 0) {
            try {
                // Docker answers {"message":"..."}; show the message alone
                JsonNode message = JSON.readTree(t.substring(brace)).path("message");
                if (message.isString()) {
                    return message.asString().trim();
                }
            } catch (RuntimeException notJson) {
                // fall through to the raw text
            }
        }
        int nl = t.indexOf('\n');
        return nl > 0 ? t.substring(0, nl) : t;
    }
}
