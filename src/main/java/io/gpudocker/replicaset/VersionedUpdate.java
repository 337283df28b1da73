package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.copy.CopyReport;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.PhaseTimes;
import io.gpudocker.common.ProgressBoard;
import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineErrors;
import io.gpudocker.docker.SystemDiskCopier;
import io.gpudocker.replicaset.HoldingsReservations.Reservation;
import io.gpudocker.replicaset.ReplicaSetViews.ContainerNameView;
import io.gpudocker.store.IntentScope;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Stored;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one update engine: every change to a replicaset makes version N+1. It creates the new container, stops
 * the old one, copies the system disk into the new layer, starts it, and records it in one transaction with
 * what it holds. A failure at any step removes the new container, releases what was added and starts
 * the old version again; the old container is never destroyed here (the history limit prunes it later).
 */
public class VersionedUpdate {
    private static final Logger log = LoggerFactory.getLogger(VersionedUpdate.class);

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final VersionContainers containers;
    private final HoldingsReservations reservations;
    private final NameLocks locks;
    private final SystemDiskCopier copier;
    private final ProgressBoard progress;
    private final VersionPruner pruner;
    private final Intents operations;
    private final MeterRegistry metrics;

    /** What an update turns into: the new spec, and which version's root filesystem it starts from. */
    public record Target(ReplicaSetSpec spec, long filesystemFrom) {}

    /** Turns the current record and version into the target; may refuse (e.g. a rollback to the current version). */
    @FunctionalInterface
    public interface Plan {
        Target target(ReplicaSetRecord record, ReplicaSetVersion current);
    }

    public VersionedUpdate(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers, HoldingsReservations reservations,
                           NameLocks locks, SystemDiskCopier copier, VersionPruner pruner, Intents operations,
                           MeterRegistry metrics, ProgressBoard progress) {
        this.progress = progress;
        this.repo = repo;
        this.engine = engine;
        this.containers = containers;
        this.reservations = reservations;
        this.locks = locks;
        this.copier = copier;
        this.pruner = pruner;
        this.operations = operations;
        this.metrics = metrics;
    }

    /**
     * @param cause recorded in the new version, e.g. "patch" or "rollback to 3"
     * @param failure the code a failed step reports, that of the operation the user called
     */
    public ContainerNameView apply(String name, Caller caller, String cause, ErrorCode failure, Plan plan) {
        try (var held = locks.lock(name); var tracker = progress.begin(ReplicaSetViews.progressKey(name), cause)) {
            PhaseTimes<UpdatePhases> phases = UpdatePhases.start();
            Stored<ReplicaSetRecord> stored = repo.require(name, caller);
            ReplicaSetRecord record = stored.record();
            ReplicaSetVersion current = repo.current(record);
            Target target = plan.target(record, current);
            containers.requireRunnable(target.spec(), record.tenant());
            Optional<ContainerDetail> currentContainer = engine.inspect(record.containerName());
            ContainerDetail source = filesystemSource(record, target, currentContainer);
            Reservation reservation = reservations.reserve(name, target.spec(), record, current);
            Holdings holdings = reservation.holdings();

            long next = record.version() + 1;
            ReplicaSetVersion version = new ReplicaSetVersion(name, next, ReplicaSetRecord.containerName(name, next), Instant.now(),
                    cause, target.spec(), holdings.gpus(), holdings.ports(), holdings.cores(), holdings.memory(), reservation.shmSize());
            boolean wasRunning = currentContainer.map(ContainerDetail::running).orElse(false);
            CopyReport copy;
            try {
                copy = switchOver(stored, version, source, wasRunning, target.filesystemFrom(), phases, tracker);
            } catch (RuntimeException e) {
                Undo.after(e, reservation::undo);
                throw EngineErrors.translate(e, failure, ErrorCode.REPLICASET_EXISTS, "update replicaset '" + name + "' (" + cause + ")");
            }
            reservation.settle();
            phases.publish(metrics);
            log.info("replicaset {} {}: version {} -> {} (container {}), GPUs {} -> {}, ports {}, {}, filesystem from version {}; took {}",
                    name, cause, record.version(), next, version.containerName(), reservation.held().gpus(), holdings.gpus(),
                    holdings.ports(), ComputeText.of(version), source == null ? "none (image only)" : target.filesystemFrom() + " by " + copy.method().label() + " in " + copy.millis() + " ms",
                    phases.summary());
            pruner.schedule(name);
            return new ContainerNameView(version.containerName(),
                    copy == null ? null : new ReplicaSetViews.CopyView(copy.method().label(), copy.millis(), copy.bytes()));
        }
    }

    /**
     * Create N+1, stop N, copy the system disk, start N+1, record it; on failure, back to N running as before.
     *
     * @return how the system disk was copied; null when there was no source to copy
     */
    private CopyReport switchOver(Stored<ReplicaSetRecord> stored, ReplicaSetVersion version, ContainerDetail source, boolean wasRunning,
                                  long filesystemFrom, PhaseTimes<UpdatePhases> phases, ProgressBoard.Tracker tracker) {
        ReplicaSetRecord record = stored.record();
        String currentName = record.containerName();
        // the intent first: a crash after the create leaves a container the reconcile can prove uncommitted
        return IntentScope.call(operations, Intent.start(Intent.REPLICASET, "update", record.name(), version.version()), scope -> {
            phases.lap(UpdatePhases.PREPARE);
            tracker.step("creating version " + version.version());
            engine.create(containers.specOf(version, record.tenant(), scope.id()));
            scope.undo(() -> engine.remove(version.containerName()));
            phases.lap(UpdatePhases.CREATE);
            if (wasRunning) {
                tracker.step("stopping version " + record.version());
                engine.stop(currentName);
                scope.restore(() -> engine.start(currentName));
                phases.lap(UpdatePhases.STOP);
            }
            CopyReport copy = null;
            if (source != null) {
                ContainerDetail fresh = engine.inspect(version.containerName())
                        .orElseThrow(() -> new IllegalStateException("container " + version.containerName() + " vanished after create"));
                tracker.step("copying the system disk of version " + filesystemFrom);
                copy = copier.copy(source, fresh);
                phases.lap(UpdatePhases.COPY);
            }
            tracker.step("starting version " + version.version());
            engine.start(version.containerName());
            phases.lap(UpdatePhases.START);
            repo.update(stored, record.running(version), version, scope.intent());
            phases.lap(UpdatePhases.RECORD);
            return copy;
        });
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
        return Snapshots.restorable(engine, copier, record.name(), target.filesystemFrom(), repo.localNode());
    }
}
