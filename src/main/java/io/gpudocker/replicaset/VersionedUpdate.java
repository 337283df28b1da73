package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.CopyReport;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineErrors;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.replicaset.ReplicaSetViews.ContainerNameView;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.Operation;
import io.gpudocker.store.Operations;
import io.gpudocker.store.Stored;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one update engine: every change to a replicaset makes version N+1. It creates the new container, stops
 * the old one, copies the system disk into the new layer, starts it, and records it in one transaction with
 * its GPUs and ports. A failure at any step removes the new container, releases what was added and starts
 * the old version again; the old container is never destroyed here (the history limit prunes it later).
 */
public class VersionedUpdate {
    private static final Logger log = LoggerFactory.getLogger(VersionedUpdate.class);

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final VersionContainers containers;
    private final GpuScheduler gpus;
    private final PortScheduler ports;
    private final NameLocks locks;
    private final SystemDiskCopier copier;
    private final ProgressBoard progress;
    private final VersionPruner pruner;
    private final Operations operations;
    private final MeterRegistry metrics;
    private final ComputeAllocator compute;

    /** What an update turns into: the new spec, and which version's root filesystem it starts from. */
    public record Target(ReplicaSetSpec spec, long filesystemFrom) {}

    /** Turns the current record and version into the target; may refuse (e.g. a rollback to the current version). */
    @FunctionalInterface
    public interface Plan {
        Target target(ReplicaSetRecord record, ReplicaSetVersion current);
    }

    /** What the new version holds, and what of it this call added (to give back if the update fails). */
    private record Reservation(List<String> heldGpus, List<String> gpus, Map<String, Integer> ports, List<Integer> addedPorts,
                               List<Integer> heldCpus, ComputeAllocator.Grant compute) {
        List<String> addedGpus() { return gpus.stream().filter(g -> !heldGpus.contains(g)).toList(); }

        List<String> droppedGpus() { return heldGpus.stream().filter(g -> !gpus.contains(g)).toList(); }
    }

    public VersionedUpdate(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers, GpuScheduler gpus,
                           PortScheduler ports, NameLocks locks, SystemDiskCopier copier, VersionPruner pruner, Operations operations,
                           MeterRegistry metrics, ComputeAllocator compute, ProgressBoard progress) {
        this.progress = progress;
        this.repo = repo;
        this.engine = engine;
        this.containers = containers;
        this.gpus = gpus;
        this.ports = ports;
        this.locks = locks;
        this.copier = copier;
        this.pruner = pruner;
        this.operations = operations;
        this.metrics = metrics;
        this.compute = compute;
    }

    /**
     * @param cause recorded in the new version, e.g. "patch" or "rollback to 3"
     * @param failure the code a failed step reports, that of the operation the user called
     */
    public ContainerNameView apply(String name, Caller caller, String cause, ErrorCode failure, Plan plan) {
        try (var held = locks.lock(name); var tracker = progress.begin(ReplicaSetViews.progressKey(name), cause)) {
            UpdatePhases phases = new UpdatePhases();
            Stored<ReplicaSetRecord> stored = repo.require(name, caller);
            ReplicaSetRecord record = stored.record();
            ReplicaSetVersion current = repo.current(record);
            Target target = plan.target(record, current);
            containers.requireRunnable(target.spec(), record.tenant());
            Optional<ContainerDetail> currentContainer = engine.inspect(record.containerName());
            ContainerDetail source = filesystemSource(record, target, currentContainer);
            Reservation reservation = reserve(record, current, target.spec());

            long next = record.version() + 1;
            ReplicaSetVersion version = new ReplicaSetVersion(name, next, ReplicaSetRecord.containerName(name, next), Instant.now(),
                    cause, target.spec(), reservation.gpus(), reservation.ports(),
                    reservation.compute().cpus(), reservation.compute().memory(), reservation.compute().shmSize());
            boolean wasRunning = currentContainer.map(ContainerDetail::running).orElse(false);
            CopyReport copy;
            try {
                copy = switchOver(stored, version, source, wasRunning, target.filesystemFrom(), phases, tracker);
            } catch (RuntimeException e) {
                Undo.after(e, () -> {
                    gpus.release(name, reservation.addedGpus());
                    ports.release(name, reservation.addedPorts());
                    compute.undo(name, reservation.compute());
                });
                throw EngineErrors.translate(e, failure, ErrorCode.REPLICASET_EXISTS, "update replicaset '" + name + "' (" + cause + ")");
            }
            gpus.release(name, reservation.droppedGpus());
            compute.settle(name, reservation.heldCpus(), reservation.compute());
            phases.publish(metrics);
            log.info("replicaset {} {}: version {} -> {} (container {}), GPUs {} -> {}, ports {}, {}, filesystem from version {}; took {}",
                    name, cause, record.version(), next, version.containerName(), reservation.heldGpus(), reservation.gpus(),
                    reservation.ports(), ComputeText.of(version), source == null ? "none (image only)" : target.filesystemFrom() + " by " + copy.method().label() + " in " + copy.millis() + " ms",
                    phases.summary());
            pruner.schedule(name);
            return new ContainerNameView(version.containerName(),
                    copy == null ? null : new ReplicaSetViews.CopyView(copy.method().label(), copy.millis(), copy.bytes()));
        }
    }

    /**
     * Keeps the GPUs and ports the replicaset holds and adds what the target needs. After a stop it holds
     * none, so it asks for the ports it had before: the user's SSH port survives where it can.
     */
    private Reservation reserve(ReplicaSetRecord record, ReplicaSetVersion current, ReplicaSetSpec target) {
        String name = record.name();
        List<String> heldGpus = record.state().holdsResources() ? record.gpus() : List.of();
        List<Integer> heldCpus = record.state().holdsResources() ? record.cpus() : List.of();
        List<String> newGpus = gpus.reserve(name, heldGpus, target.gpuCount());
        List<String> addedGpus = newGpus.stream().filter(g -> !heldGpus.contains(g)).toList();
        Map<String, Integer> portMap = record.ports();
        List<Integer> addedPorts = List.of();
        try {
            if (!record.state().holdsResources()) {
                List<Integer> wanted = target.containerPorts().stream().map(p -> current.ports().get(p)).filter(Objects::nonNull).toList();
                addedPorts = ports.reserve(name, target.containerPorts().size(), wanted);
                portMap = ReplicaSetVersion.portMap(target.containerPorts(), addedPorts);
            }
        } catch (RuntimeException e) {
            gpus.release(name, addedGpus);
            throw e;
        }
        try {
            ComputeAllocator.Grant grant = compute.reserve(name, target, newGpus, heldCpus);
            return new Reservation(heldGpus, newGpus, portMap, addedPorts, heldCpus, grant);
        } catch (RuntimeException e) {
            gpus.release(name, addedGpus);
            ports.release(name, addedPorts);
            throw e;
        }
    }

    /**
     * Create N+1, stop N, copy the system disk, start N+1, record it; on failure, back to N running as before.
     *
     * @return how the system disk was copied; null when there was no source to copy
     */
    private CopyReport switchOver(Stored<ReplicaSetRecord> stored, ReplicaSetVersion version, ContainerDetail source, boolean wasRunning,
                                  long filesystemFrom, UpdatePhases phases, ProgressBoard.Tracker tracker) {
        ReplicaSetRecord record = stored.record();
        String currentName = record.containerName();
        Operation op = null;
        boolean created = false;
        boolean stoppedOld = false;
        CopyReport copy = null;
        try {
            // the intent first: a crash after the create leaves a container the reconcile can prove uncommitted
            op = operations.begin(Operation.start(Operation.REPLICASET, "update", record.name(), version.version()));
            phases.lap(UpdatePhases.Phase.PREPARE);
            tracker.step("creating version " + version.version());
            engine.create(containers.specOf(version, record.tenant(), op.id()));
            created = true;
            phases.lap(UpdatePhases.Phase.CREATE);
            if (wasRunning) {
                tracker.step("stopping version " + record.version());
                engine.stop(currentName);
                stoppedOld = true;
                phases.lap(UpdatePhases.Phase.STOP);
            }
            if (source != null) {
                ContainerDetail fresh = engine.inspect(version.containerName())
                        .orElseThrow(() -> new IllegalStateException("container " + version.containerName() + " vanished after create"));
                tracker.step("copying the system disk of version " + filesystemFrom);
                copy = copier.copy(source, fresh);
                phases.lap(UpdatePhases.Phase.COPY);
            }
            tracker.step("starting version " + version.version());
            engine.start(version.containerName());
            phases.lap(UpdatePhases.Phase.START);
            repo.update(stored, record.running(version), version, op);
            phases.lap(UpdatePhases.Phase.RECORD);
            return copy;
        } catch (RuntimeException e) {
            // a record write that may have landed undoes nothing: the record may already name the new container
            if (created) {
                Undo.after(e, () -> engine.remove(version.containerName()));
            }
            if (stoppedOld) {
                Undo.after(e, () -> engine.start(currentName));
            }
            if (op != null) {
                Operation begun = op;
                Undo.quietly(() -> operations.drop(begun));
            }
            throw e;
        }
    }

    /** The container whose own layer the new version starts from; none if the current one vanished. */
    private ContainerDetail filesystemSource(ReplicaSetRecord record, Target target, Optional<ContainerDetail> currentContainer) {
        if (target.filesystemFrom() == record.version()) {
            if (currentContainer.isEmpty()) {
                log.warn("replicaset {}: container {} is gone; the new version starts from the image alone", record.name(), record.containerName());
                return null;
            }
            copier.requireSupported(currentContainer.get());
            return currentContainer.get();
        }
        String sourceName = ReplicaSetRecord.containerName(record.name(), target.filesystemFrom());
        ContainerDetail source = engine.inspect(sourceName).orElseThrow(() -> ApiException.of(ErrorCode.SNAPSHOT_PRUNED,
                "the filesystem snapshot of version %d (container %s) was pruned by the history limit; its spec is still in the history, but its files cannot be restored",
                target.filesystemFrom(), sourceName));
        copier.requireSupported(source);
        return source;
    }
}
