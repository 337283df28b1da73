package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSpec;
import io.gpudocker.docker.ContainerView;
import io.gpudocker.docker.EngineException;
import io.gpudocker.docker.ExecResult;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.replicaset.ReplicaSetRepository.Stored;
import io.gpudocker.replicaset.ReplicaSetViews.ContainerNameView;
import io.gpudocker.replicaset.ReplicaSetViews.Created;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicaset lifecycle. Every acknowledged change is one etcd transaction written before the response;
 * every failure removes what it created, releases what it reserved and leaves the previous version running.
 */
public class ReplicaSetService {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSetService.class);

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final GpuScheduler gpus;
    private final PortScheduler ports;
    private final NameLocks locks;
    private final SystemDiskCopier copier;
    private final VersionPruner pruner;
    private final VolumeChecker volumes;
    private final String owner;
    private final Duration execTimeout;

    /** Looks up whether a bind's volume exists, so a typo is a 400 rather than a new empty volume. */
    public interface VolumeChecker {
        boolean exists(String volumeName);
    }

    /** What an update turns into: the new spec, and whose root filesystem it starts from. */
    record Target(ReplicaSetSpec spec, long filesystemFrom) {}

    public ReplicaSetService(ReplicaSetRepository repo, ContainerEngine engine, GpuScheduler gpus, PortScheduler ports,
                             NameLocks locks, SystemDiskCopier copier, VersionPruner pruner, VolumeChecker volumes,
                             String owner, Duration execTimeout) {
        this.repo = repo;
        this.engine = engine;
        this.gpus = gpus;
        this.ports = ports;
        this.locks = locks;
        this.copier = copier;
        this.pruner = pruner;
        this.volumes = volumes;
        this.owner = owner;
        this.execTimeout = execTimeout;
    }

    // ---- create ---------------------------------------------------------------------------------------

    public Created create(ReplicaSetRequests.Create req) {
        SpecValidator.name(req.replicaSetName());
        SpecValidator.image(req.imageName());
        int gpuCount = SpecValidator.gpuCount(req.gpuCount(), gpus.total());
        SpecValidator.binds(req.binds());
        SpecValidator.env(req.env());
        SpecValidator.cmd(req.cmd());
        List<String> containerPorts = SpecValidator.containerPorts(req.containerPorts());
        String name = req.replicaSetName();
        ReplicaSetSpec spec = new ReplicaSetSpec(req.imageName(), gpuCount, req.binds(), req.env(), req.cmd(), containerPorts);

        try (var held = locks.lock(name)) {
            if (repo.find(name).isPresent()) {
                throw ApiException.of(ErrorCode.REPLICASET_EXISTS, "replicaset '%s' already exists", name);
            }
            requireRunnable(spec);
            List<String> gpuIds = gpus.reserve(name, List.of(), gpuCount);
            Map<String, Integer> portMap;
            try {
                portMap = zip(containerPorts, ports.reserve(name, containerPorts.size(), List.of()));
            } catch (RuntimeException e) {
                gpus.release(name, gpuIds);
                throw e;
            }
            Instant now = Instant.now();
            ReplicaSetVersion first = new ReplicaSetVersion(name, 1, ReplicaSetRecord.containerName(name, 1), now, "create", spec, gpuIds, portMap);
            ReplicaSetRecord record = new ReplicaSetRecord(name, 1, ReplicaSetState.RUNNING, gpuIds, portMap, now, now);
            boolean created = false;
            try {
                engine.create(containerSpec(first));
                created = true;
                engine.start(first.containerName());
                repo.create(record, first);
            } catch (RuntimeException e) {
                if (created) {
                    quietly(() -> engine.remove(first.containerName()));
                }
                gpus.release(name, gpuIds);
                ports.release(name, portMap.values());
                throw translate(e, ErrorCode.CONTAINER_RUN_FAILED, "create replicaset '" + name + "'");
            }
            log.info("replicaset {} created: container {}, image {}, GPUs {}, ports {}", name, first.containerName(), spec.image(), gpuIds, portMap);
            return new Created(first.containerName(), name, 1, gpuIds, portMap);
        }
    }

    // ---- versioned updates ----------------------------------------------------------------------------

    public ContainerNameView patch(String name, ReplicaSetRequests.Patch req) {
        ReplicaSetRequests.Patch patch = req == null ? new ReplicaSetRequests.Patch(null, null) : req;
        Integer newCount = patch.gpuPatch() == null ? null : SpecValidator.gpuCount(patch.gpuPatch().gpuCount(), gpus.total());
        var volumePatch = patch.volumePatch();
        if (volumePatch != null) {
            SpecValidator.bind(volumePatch.oldBind(), "volumePatch.oldBind");
            SpecValidator.bind(volumePatch.newBind(), "volumePatch.newBind");
        }
        String cause = patch.gpuPatch() == null && volumePatch == null ? "recreate" : "patch";
        return update(name, cause, ErrorCode.CONTAINER_PATCH_FAILED, (record, current) -> {
            ReplicaSetSpec spec = current.spec();
            if (newCount != null) {
                spec = spec.withGpuCount(newCount);
            }
            if (volumePatch != null) {
                spec = spec.withBinds(rebind(spec.binds(), volumePatch.oldBind(), volumePatch.newBind()));
            }
            return new Target(spec, record.version());
        });
    }

    public ContainerNameView restart(String name) {
        return update(name, "restart", ErrorCode.CONTAINER_RESTART_FAILED, (record, current) -> new Target(current.spec(), record.version()));
    }

    public ContainerNameView rollback(String name, ReplicaSetRequests.Rollback req) {
        if (req == null || req.version() == null || req.version() <= 0) {
            throw ApiException.of(ErrorCode.VERSION_INVALID, "version must be a number greater than 0, got %s", req == null ? null : req.version());
        }
        long k = req.version();
        return update(name, "rollback to " + k, ErrorCode.ROLLBACK_FAILED, (record, current) -> {
            if (k == record.version()) {
                throw ApiException.of(ErrorCode.NO_NEED_ROLLBACK, "replicaset '%s' is already at version %d", name, k);
            }
            ReplicaSetVersion target = repo.version(name, k).orElseThrow(() -> ApiException.of(ErrorCode.VERSION_NOT_FOUND,
                    "replicaset '%s' has no version %d (versions 1-%d exist)", name, k, record.version()));
            return new Target(target.spec(), k);
        });
    }

    private ContainerNameView update(String name, String cause, ErrorCode failure, BiFunction<ReplicaSetRecord, ReplicaSetVersion, Target> plan) {
        SpecValidator.name(name);
        try (var held = locks.lock(name)) {
            Stored stored = repo.require(name);
            ReplicaSetRecord record = stored.record();
            ReplicaSetVersion current = currentVersion(record);
            Target target = plan.apply(record, current);
            requireRunnable(target.spec());

            String currentName = record.containerName();
            Optional<ContainerView> currentContainer = engine.inspect(currentName);
            ContainerView source = filesystemSource(name, record, target, currentContainer);

            List<String> heldGpus = record.state().holdsResources() ? record.gpus() : List.of();
            List<String> newGpus = gpus.reserve(name, heldGpus, target.spec().gpuCount());
            List<String> addedGpus = minus(newGpus, heldGpus);
            Map<String, Integer> portMap;
            List<Integer> addedPorts;
            if (record.state().holdsResources()) {
                portMap = record.ports();
                addedPorts = List.of();
            } else {
                try {
                    // after a stop, ask for the ports this replicaset had, so the user's SSH port survives where it can
                    List<Integer> wanted = target.spec().containerPorts().stream().map(p -> current.ports().get(p)).filter(p -> p != null).toList();
                    List<Integer> got = ports.reserve(name, target.spec().containerPorts().size(), wanted);
                    portMap = zip(target.spec().containerPorts(), got);
                    addedPorts = got;
                } catch (RuntimeException e) {
                    gpus.release(name, addedGpus);
                    throw e;
                }
            }

            long next = record.version() + 1;
            ReplicaSetVersion version = new ReplicaSetVersion(name, next, ReplicaSetRecord.containerName(name, next), Instant.now(),
                    cause, target.spec(), newGpus, portMap);
            boolean wasRunning = currentContainer.map(ContainerView::running).orElse(false);
            boolean created = false;
            boolean stoppedOld = false;
            try {
                engine.create(containerSpec(version));
                created = true;
                if (wasRunning) {
                    engine.stop(currentName);
                    stoppedOld = true;
                }
                if (source != null) {
                    ContainerView fresh = engine.inspect(version.containerName())
                            .orElseThrow(() -> new IllegalStateException("container " + version.containerName() + " vanished after create"));
                    copier.copy(source, fresh);
                }
                engine.start(version.containerName());
                repo.update(stored, record.with(next, ReplicaSetState.RUNNING, newGpus, portMap), version);
            } catch (RuntimeException e) {
                if (created) {
                    quietly(() -> engine.remove(version.containerName()));
                }
                gpus.release(name, addedGpus);
                ports.release(name, addedPorts);
                if (stoppedOld) {
                    quietly(() -> engine.start(currentName));
                }
                throw translate(e, failure, "update replicaset '" + name + "' (" + cause + ")");
            }
            gpus.release(name, minus(heldGpus, newGpus));
            log.info("replicaset {} {}: version {} -> {} (container {}), GPUs {} -> {}, ports {}, filesystem from version {}",
                    name, cause, record.version(), next, version.containerName(), heldGpus, newGpus, portMap,
                    source == null ? "none (image only)" : target.filesystemFrom());
            pruner.schedule(name);
            return new ContainerNameView(version.containerName());
        }
    }

    private ContainerView filesystemSource(String name, ReplicaSetRecord record, Target target, Optional<ContainerView> currentContainer) {
        if (target.filesystemFrom() == record.version()) {
            if (currentContainer.isEmpty()) {
                log.warn("replicaset {}: container {} is gone; the new version starts from the image alone", name, record.containerName());
                return null;
            }
            copier.requireSupported(currentContainer.get());
            return currentContainer.get();
        }
        String sourceName = ReplicaSetRecord.containerName(name, target.filesystemFrom());
        ContainerView source = engine.inspect(sourceName).orElseThrow(() -> ApiException.of(ErrorCode.SNAPSHOT_PRUNED,
                "the filesystem snapshot of version %d (container %s) was pruned by the history limit; its spec is still in the history, but its files cannot be restored",
                target.filesystemFrom(), sourceName));
        copier.requireSupported(source);
        return source;
    }

    private static List<Bind> rebind(List<Bind> binds, Bind oldBind, Bind newBind) {
        List<Bind> result = new ArrayList<>();
        boolean matched = false;
        for (Bind b : binds) {
            if (!matched && b.src().equals(oldBind.src()) && b.dest().equals(oldBind.dest())) {
                result.add(newBind);
                matched = true;
            } else {
                result.add(b);
            }
        }
        if (!matched) {
            throw ApiException.of(ErrorCode.BIND_NOT_FOUND, "no bind matches oldBind %s:%s; the replicaset has %s",
                    oldBind.src(), oldBind.dest(), binds.stream().map(Bind::asDockerBind).toList());
        }
        SpecValidator.binds(result);
        return result;
    }

    // ---- stop / pause / continue / delete -------------------------------------------------------------

    public void stop(String name) {
        SpecValidator.name(name);
        try (var held = locks.lock(name)) {
            Stored stored = repo.require(name);
            ReplicaSetRecord record = stored.record();
            if (record.state() == ReplicaSetState.STOPPED) {
                return;
            }
            try {
                engine.stop(record.containerName());
            } catch (RuntimeException e) {
                throw translate(e, ErrorCode.CONTAINER_STOP_FAILED, "stop replicaset '" + name + "'");
            }
            undoOnFailure(() -> repo.update(stored, record.stopped(), null), () -> engine.start(record.containerName()));
            gpus.release(name, record.gpus());
            ports.release(name, record.ports().values());
            log.info("replicaset {} stopped: container {}, released GPUs {} and ports {}", name, record.containerName(), record.gpus(), record.ports());
        }
    }

    public void pause(String name) {
        SpecValidator.name(name);
        try (var held = locks.lock(name)) {
            Stored stored = repo.require(name);
            ReplicaSetRecord record = stored.record();
            requireState(record, ReplicaSetState.RUNNING, "pause");
            // recorded first: a crash before the stop is finished by the startup reconcile
            repo.update(stored, record.inState(ReplicaSetState.PAUSED), null);
            try {
                engine.stop(record.containerName());
            } catch (RuntimeException e) {
                repo.update(repo.require(name), record.inState(ReplicaSetState.RUNNING), null);
                throw translate(e, ErrorCode.CONTAINER_STOP_FAILED, "pause replicaset '" + name + "'");
            }
            log.info("replicaset {} paused: container {} stopped, keeps GPUs {} and ports {}", name, record.containerName(), record.gpus(), record.ports());
        }
    }

    public void resume(String name) {
        SpecValidator.name(name);
        try (var held = locks.lock(name)) {
            Stored stored = repo.require(name);
            ReplicaSetRecord record = stored.record();
            requireState(record, ReplicaSetState.PAUSED, "continue");
            if (engine.inspect(record.containerName()).isEmpty()) {
                throw ApiException.of(ErrorCode.INVALID_STATE, "container %s of replicaset '%s' is gone; use restart to make a new version", record.containerName(), name);
            }
            try {
                engine.start(record.containerName());
            } catch (RuntimeException e) {
                throw translate(e, ErrorCode.CONTAINER_RUN_FAILED, "continue replicaset '" + name + "'");
            }
            undoOnFailure(() -> repo.update(stored, record.inState(ReplicaSetState.RUNNING), null), () -> engine.stop(record.containerName()));
            log.info("replicaset {} continued: container {} started with GPUs {} and ports {}", name, record.containerName(), record.gpus(), record.ports());
        }
    }

    public void delete(String name) {
        SpecValidator.name(name);
        try (var held = locks.lock(name)) {
            Stored stored = repo.require(name);
            ReplicaSetRecord record = stored.record();
            // forgotten first: containers left by a crash after this point are orphans the reconcile removes
            repo.delete(stored);
            gpus.release(name, record.gpus());
            ports.release(name, record.ports().values());
            List<String> removed = new ArrayList<>();
            for (ContainerView c : engine.listByLabels(ContainerLabels.replicaSet(owner, name))) {
                try {
                    engine.remove(c.id());
                    removed.add(c.name());
                } catch (RuntimeException e) {
                    log.warn("replicaset {} deleted but container {} could not be removed yet ({}); the next reconcile removes it", name, c.name(), e.getMessage());
                }
            }
            log.info("replicaset {} deleted: removed containers {}, released GPUs {} and ports {}", name, removed, record.gpus(), record.ports());
        }
    }

    // ---- execute / commit / logs ----------------------------------------------------------------------

    public ReplicaSetViews.ExecuteResult execute(String name, ReplicaSetRequests.Execute req) {
        SpecValidator.name(name);
        if (req == null || req.cmd() == null || req.cmd().isEmpty() || req.cmd().stream().anyMatch(c -> c == null || c.isEmpty())) {
            throw new ApiException(ErrorCode.INVALID_PARAMS, "cmd must be a non-empty list of non-empty strings, e.g. [\"ls\", \"-l\"]");
        }
        if (req.workDir() != null && !req.workDir().isBlank() && !req.workDir().startsWith("/")) {
            throw ApiException.of(ErrorCode.INVALID_PARAMS, "workDir '%s' must be an absolute path", req.workDir());
        }
        ReplicaSetRecord record = repo.require(name).record();
        ContainerView c = engine.inspect(record.containerName()).filter(ContainerView::running).orElseThrow(() -> ApiException.of(
                ErrorCode.INVALID_STATE, "replicaset '%s' is %s; commands run only in a running container", name, record.state().name().toLowerCase()));
        try {
            ExecResult r = engine.exec(c.id(), req.workDir(), req.cmd(), execTimeout);
            log.info("replicaset {}: executed {} in {} -> exit {}{}", name, req.cmd(), c.name(), r.exitCode(), r.timedOut() ? " (timed out)" : "");
            return new ReplicaSetViews.ExecuteResult(r.stdout(), r.exitCode(), r.timedOut());
        } catch (RuntimeException e) {
            throw translate(e, ErrorCode.CONTAINER_EXECUTE_FAILED, "execute in replicaset '" + name + "'");
        }
    }

    public ReplicaSetViews.CommitResult commit(String name, ReplicaSetRequests.Commit req) {
        SpecValidator.name(name);
        SpecValidator.newImageName(req == null ? null : req.newImageName());
        try (var held = locks.lock(name)) {
            ReplicaSetRecord record = repo.require(name).record();
            ContainerView c = engine.inspect(record.containerName()).orElseThrow(() -> ApiException.of(ErrorCode.INVALID_STATE,
                    "container %s of replicaset '%s' is gone; nothing to commit", record.containerName(), name));
            try {
                String id = engine.commit(c.id(), req.newImageName());
                log.info("replicaset {}: container {} committed as image {} ({})", name, c.name(), req.newImageName(), id);
                return new ReplicaSetViews.CommitResult(req.newImageName(), id);
            } catch (RuntimeException e) {
                throw translate(e, ErrorCode.CONTAINER_COMMIT_FAILED, "commit replicaset '" + name + "'");
            }
        }
    }

    /** Finds the container whose logs to stream: the current version, or version {@code version} if given. */
    public String logsContainer(String name, Long version) {
        SpecValidator.name(name);
        ReplicaSetRecord record = repo.require(name).record();
        long v = version == null ? record.version() : version;
        if (v <= 0 || v > record.version()) {
            throw ApiException.of(ErrorCode.VERSION_NOT_FOUND, "replicaset '%s' has no version %d (versions 1-%d exist)", name, v, record.version());
        }
        String container = ReplicaSetRecord.containerName(name, v);
        if (engine.inspect(container).isEmpty()) {
            throw ApiException.of(ErrorCode.SNAPSHOT_PRUNED, "container %s of version %d no longer exists (pruned by the history limit)", container, v);
        }
        return container;
    }

    public void streamLogs(String container, int tail, boolean follow, OutputStream out) {
        engine.logs(container, tail, follow, out);
    }

    // ---- reads ----------------------------------------------------------------------------------------

    public ReplicaSetViews.Detail get(String name) {
        SpecValidator.name(name);
        ReplicaSetRecord record = repo.require(name).record();
        ReplicaSetVersion current = currentVersion(record);
        String status = engine.inspect(record.containerName()).map(ContainerView::status).orElse("missing");
        ReplicaSetSpec spec = current.spec();
        return new ReplicaSetViews.Detail(name, record.version(), record.containerName(), record.state().name().toLowerCase(), status,
                record.createTime(), record.updateTime(), current.createTime(), spec.image(), spec.gpuCount(), record.gpus(),
                spec.binds(), spec.env(), spec.cmd(), record.state().holdsResources() ? record.ports() : current.ports());
    }

    public List<ReplicaSetViews.Summary> list() {
        return repo.list().stream().map(r -> new ReplicaSetViews.Summary(r.name(), r.version(), r.containerName(),
                r.state().name().toLowerCase(), r.gpus().size(), r.gpus(), r.ports())).toList();
    }

    public ReplicaSetViews.History history(String name) {
        SpecValidator.name(name);
        repo.require(name);
        Set<String> present = new HashSet<>();
        engine.listByLabels(ContainerLabels.replicaSet(owner, name)).forEach(c -> present.add(c.name()));
        return new ReplicaSetViews.History(repo.history(name).stream()
                .map(v -> new ReplicaSetViews.HistoryItem(v.version(), v.createTime(), present.contains(v.containerName()), v))
                .toList());
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private ReplicaSetVersion currentVersion(ReplicaSetRecord record) {
        return repo.version(record.name(), record.version()).orElseThrow(() -> new IllegalStateException(
                "replicaset " + record.name() + " has no record of its current version " + record.version()));
    }

    private void requireState(ReplicaSetRecord record, ReplicaSetState wanted, String action) {
        if (record.state() != wanted) {
            throw ApiException.of(ErrorCode.INVALID_STATE, "cannot %s replicaset '%s': it is %s, not %s", action, record.name(),
                    record.state().name().toLowerCase(), wanted.name().toLowerCase());
        }
    }

    private void requireRunnable(ReplicaSetSpec spec) {
        if (!engine.imageExists(spec.image())) {
            throw ApiException.of(ErrorCode.IMAGE_NOT_FOUND, "image '%s' is not present on this host; pull or build it first", spec.image());
        }
        for (Bind b : spec.binds()) {
            if (!b.isHostPath() && !volumes.exists(b.src())) {
                throw ApiException.of(ErrorCode.BIND_INVALID, "bind src '%s' is not an existing volume (create it with POST /api/v1/volumes, or give an absolute host path)", b.src());
            }
        }
    }

    private ContainerSpec containerSpec(ReplicaSetVersion v) {
        List<String> env = new ArrayList<>(v.spec().env());
        env.add("CONTAINER_VERSION=" + v.version());
        if (v.gpus().isEmpty()) {
            // CUDA images set NVIDIA_VISIBLE_DEVICES=all; on hosts whose default runtime is nvidia that would expose every GPU
            env.add("NVIDIA_VISIBLE_DEVICES=void");
        }
        return new ContainerSpec(v.containerName(), v.spec().image(), v.spec().cmd(), env,
                v.spec().binds().stream().map(Bind::asDockerBind).toList(), v.gpus(), v.ports(),
                ContainerLabels.of(owner, v.replicaSet(), v.version()));
    }

    private static Map<String, Integer> zip(List<String> containerPorts, List<Integer> hostPorts) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < containerPorts.size(); i++) {
            m.put(containerPorts.get(i), hostPorts.get(i));
        }
        return m;
    }

    private static <T> List<T> minus(List<T> a, List<T> b) {
        return a.stream().filter(x -> !b.contains(x)).toList();
    }

    static RuntimeException translate(RuntimeException e, ErrorCode failure, String what) {
        if (e instanceof ApiException) {
            return e;
        }
        if (e instanceof EngineException ee) {
            String msg = ee.getMessage();
            if (msg.contains("port is already allocated") || msg.contains("address already in use")) {
                return new ApiException(ErrorCode.PORT_NOT_ENOUGH, "a host port was taken by another process on the host: " + msg, e);
            }
            if (ee.status() == 409) {
                return new ApiException(ErrorCode.REPLICASET_EXISTS, "a container of that name already exists on this host but is not managed here: " + msg, e);
            }
            if (ee.status() == 400) {
                return new ApiException(ErrorCode.INVALID_PARAMS, "failed to " + what + ": " + msg, e);
            }
            return new ApiException(failure, "failed to " + what + ": " + msg, e);
        }
        return new ApiException(failure, "failed to " + what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }

    /** Runs the record write; if it fails, puts Docker back as it was so nothing is left half changed. */
    private static void undoOnFailure(Runnable write, Runnable undo) {
        try {
            write.run();
        } catch (RuntimeException e) {
            quietly(undo);
            throw e;
        }
    }

    private static void quietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("cleanup step failed: {}", e.getMessage());
        }
    }
}
