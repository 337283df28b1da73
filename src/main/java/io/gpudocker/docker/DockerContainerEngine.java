package io.gpudocker.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.transport.DockerHttpClient;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.SharedLookups;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * {@link ContainerEngine} on docker-java, every call bounded and its failure named by {@link DockerCalls}.
 */
public class DockerContainerEngine implements ContainerEngine, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DockerContainerEngine.class);

    private final DockerClient docker;
    private final DockerCalls calls;
    private final DockerTimeouts timeouts;
    private final RawDockerApi raw;
    private final InitProgramCheck programCheck;
    private final LogStreams logStreams;
    private final Execs execs;
    private final ContainerHardening hardening;
    private final StopGrace stopGrace;
    private final BindMounts bindMounts;
    private final SharedLookups<String, ImageSummary> imageLookups = new SharedLookups<>();
    private volatile java.net.URI dockerHost;

    /**
     * @param hardening  applied to every container created here, so no caller can leave it out
     * @param stopGrace  whether a stop waits {@link DockerTimeouts#stop()} for the container's processes or kills at once
     * @param bindMounts where the host-path binds of the containers made here are mounted, checked, before each start
     */
    public DockerContainerEngine(DockerClient docker, DockerHttpClient http, DockerCalls calls, ContainerHardening hardening, StopGrace stopGrace,
                                 BindMounts bindMounts) {
        this.docker = docker;
        this.calls = calls;
        this.timeouts = calls.timeouts();
        this.raw = new RawDockerApi(http, calls);
        this.programCheck = new InitProgramCheck(raw::pathExists);
        this.logStreams = new LogStreams(docker, calls);
        this.execs = new Execs(docker, calls);
        this.hardening = hardening;
        this.stopGrace = stopGrace;
        this.bindMounts = bindMounts;
    }

    @Override
    public Optional<ImageSummary> inspectImage(String reference) {
        return imageLookups.find(reference, () -> call("inspect image " + reference, () -> {
            try {
                var image = docker.inspectImageCmd(reference).exec();
                var config = image.getConfig();
                return Optional.of(new ImageSummary(image.getId(), image.getRepoTags(), null,
                        image.getSize() == null ? 0 : image.getSize(), config == null ? null : config.getLabels()));
            } catch (NotFoundException e) {
                return Optional.<ImageSummary>empty();
            }
        }));
    }

    @Override
    public String create(ContainerSpec spec) {
        ContainerSpec placed = bindMounts.placed(spec);
        return call("create container " + spec.name(), timeouts.work(), () -> CreateCommands.of(docker, placed, hardening).exec().getId());
    }

    @Override
    public void start(String nameOrId) {
        start(nameOrId, () -> {});
    }

    @Override
    public void start(String nameOrId, Runnable checked) {
        Optional<JsonNode> inspected = raw.inspectContainer(nameOrId);
        String name = inspected.map(c -> InspectParser.detail(c).name()).orElse(nameOrId);
        inspected.ifPresent(c -> {
            List<String> binds = InspectParser.settings(c).binds();
            Map<String, String> labels = InspectParser.detail(c).labels();
            List<BindMounts.HostBind> hostBinds = BindMounts.of(name, binds, labels);
            if (hostBinds.isEmpty()) {
                // a container made before binds were mounted by this service: its host paths as Docker holds them
                BindSourceCheck.require(nameOrId, binds, labels);
            }
            programCheck.require(nameOrId, InspectParser.launch(c));
            bindMounts.establish(name, hostBinds);
        });
        checked.run();
        try {
            call("start container " + nameOrId, timeouts.work(), () -> {
                try {
                    docker.startContainerCmd(nameOrId).exec();
                } catch (NotModifiedException alreadyRunning) {
                    // starting a running container is a no-op
                }
                return null;
            });
        } catch (RuntimeException notStarted) {
            if (inspect(nameOrId).map(d -> !d.running()).orElse(true)) {
                bindMounts.release(name);
            }
            throw notStarted;
        }
    }

    @Override
    public void stop(String nameOrId) {
        Optional<String> mounted = bindMountsOf(nameOrId);
        if (!graceHelps(nameOrId)) {
            kill(nameOrId);
        } else {
            call("stop container " + nameOrId, timeouts.stopping(), () -> {
                try {
                    docker.stopContainerCmd(nameOrId).withTimeout((int) timeouts.stop().toSeconds()).exec();
                } catch (NotModifiedException alreadyStopped) {
                    // stopping a stopped container is a no-op
                }
                return null;
            });
        }
        // the container's own copies went with its processes; the next start mounts afresh
        mounted.ifPresent(bindMounts::release);
    }

    /**
     * The name under which a container's bind mounts are kept, where it has any: most callers name a container,
     * an id is looked up only while some container has mounts.
     */
    private Optional<String> bindMountsOf(String nameOrId) {
        if (bindMounts.holds(nameOrId)) {
            return Optional.of(nameOrId);
        }
        if (!bindMounts.holdsAny()) {
            return Optional.empty();
        }
        return inspect(nameOrId).map(ContainerDetail::name).filter(bindMounts::holds);
    }

    @Override
    public void releaseLeftoverBindMounts() {
        Set<String> existing = new HashSet<>();
        listByLabels(ManagedLabels.owner(bindMounts.owner())).forEach(c -> existing.add(c.name()));
        bindMounts.sweep(existing);
    }

    /**
     * Whether a stop should send SIGTERM and wait the grace period ({@link StopGrace}). Where it should not,
     * SIGKILL alone ends the container as the grace period would have; sending SIGTERM first would cost one
     * more signal through containerd and runc for nothing.
     */
    private boolean graceHelps(String nameOrId) {
        Optional<JsonNode> inspected = raw.inspectContainer(nameOrId);
        if (inspected.isEmpty() || !InspectParser.running(inspected.get())) {
            return true;
        }
        StopGrace.Decision decision = stopGrace.decide(InspectParser.stopTarget(inspected.get()));
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
        if (refused != null && inspect(nameOrId).map(ContainerDetail::running).orElse(false)) {
            throw new EngineException(refused.getHttpStatus(), "Docker refused to kill container " + nameOrId + ": " + DockerCalls.firstLine(refused.getMessage()), refused);
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
        Optional<String> mounted = bindMountsOf(nameOrId);
        removeContainer(nameOrId);
        mounted.ifPresent(bindMounts::release);
    }

    private void removeContainer(String nameOrId) {
        call("remove container " + nameOrId, timeouts.work(), () -> {
            try {
                docker.removeContainerCmd(nameOrId).withForce(true).withRemoveVolumes(false).exec();
            } catch (NotFoundException gone) {
                // already gone is what we wanted
            }
            return null;
        });
    }

    @Override
    public Optional<ContainerDetail> inspect(String nameOrId) {
        return raw.inspectContainer(nameOrId).map(InspectParser::detail);
    }

    @Override
    public int runningExecs(String nameOrId) {
        return raw.inspectContainer(nameOrId).map(r -> r.path("ExecIDs").size()).orElse(0);
    }

    @Override
    public Optional<ContainerSettings> settings(String nameOrId) {
        return raw.inspectContainer(nameOrId).map(InspectParser::settings);
    }

    @Override
    public List<ContainerSummary> listByLabels(Map<String, String> labels) {
        return call("list containers", () -> {
            List<Container> found = docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec();
            return found.stream().map(c -> new ContainerSummary(c.getId(), name(c.getNames()), c.getStatus(),
                    "running".equals(c.getState()), "paused".equals(c.getState()), c.getLabels())).toList();
        });
    }

    @Override
    public ExecResult exec(String nameOrId, String workDir, List<String> cmd, Duration timeout) {
        return execs.run(nameOrId, workDir, cmd, timeout);
    }

    @Override
    public List<ImageSummary> listImages() {
        return call("list images", () -> docker.listImagesCmd().exec().stream()
                .map(i -> new ImageSummary(i.getId(), i.getRepoTags() == null ? List.of() : List.of(i.getRepoTags()),
                        i.getCreated() == null ? null : Instant.ofEpochSecond(i.getCreated()),
                        i.getSize() == null ? 0 : i.getSize(), i.getLabels()))
                .toList());
    }

    /** Where {@link #startProcess} connects to attach itself: the daemon's address, as the client was configured. */
    public DockerContainerEngine attachingThrough(String host) {
        this.dockerHost = java.net.URI.create(host);
        return this;
    }

    @Override
    public ContainerProcess startProcess(String nameOrId, List<String> cmd, boolean tty, Map<String, String> env, int columns, int rows) {
        if (dockerHost == null) {
            throw new IllegalStateException("the engine was made without the Docker address it opens processes through (attachingThrough)");
        }
        return call("process in " + nameOrId, () -> {
            try {
                return DockerProcess.start(docker, dockerHost, nameOrId, cmd, tty, env, columns, rows);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Override
    public Optional<String> address(String nameOrId) {
        return call("address of " + nameOrId, () -> {
            try {
                var networks = docker.inspectContainerCmd(nameOrId).exec().getNetworkSettings().getNetworks();
                return networks == null ? Optional.<String>empty() : networks.values().stream()
                        .map(n -> n.getIpAddress()).filter(ip -> ip != null && !ip.isBlank()).findFirst();
            } catch (NotFoundException e) {
                return Optional.<String>empty();
            }
        });
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
    public boolean removeUnusedImage(String id) {
        return call("remove image " + id, timeouts.work(), () -> {
            try {
                var image = docker.inspectImageCmd(id).exec();
                if (image.getRepoTags() != null && !image.getRepoTags().isEmpty()) {
                    return false;
                }
                // never forced: Docker refuses while a container, running or not, was made from it
                docker.removeImageCmd(id).withForce(false).exec();
                return true;
            } catch (NotFoundException | ConflictException stillHeldOrGone) {
                return false;
            }
        });
    }

    @Override
    public void logs(String nameOrId, int tail, boolean follow, Duration idleTimeout, OutputStream out) {
        logStreams.copy(nameOrId, tail, follow, idleTimeout, out);
    }

    /** Ends the followed log streams still open, so shutting down does not wait for their clients. */
    @Override
    public void close() {
        logStreams.close();
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

    /** @see RawDockerApi#bridgeCreated() */
    @Override
    public Optional<Instant> startedAt() {
        return raw.bridgeCreated();
    }

    @Override
    public void ping() {
        call("ping", () -> docker.pingCmd().exec());
    }

    static String name(String[] names) {
        return names == null || names.length == 0 ? null : InspectParser.stripSlash(names[0]);
    }

    private <T> T call(String what, Supplier<T> action) {
        return calls.call(what, action);
    }

    private <T> T call(String what, Duration bound, Supplier<T> action) {
        return calls.call(what, bound, action);
    }
}
