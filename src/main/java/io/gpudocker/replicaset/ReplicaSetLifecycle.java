package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ByteSizes;
import io.gpudocker.common.NameLocks;
import io.gpudocker.common.Undo;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.EngineErrors;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.resource.cpu.CpuList;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.store.Stored;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stop (releases what the instance holds), pause (keeps it), continue (a paused or exited instance), and delete. None makes a new version; each
 * either records its change after Docker made it and puts Docker back if the record cannot be written, or
 * records first where a crash in between is finished by the reconcile.
 */
public class ReplicaSetLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSetLifecycle.class);

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final VersionContainers containers;
    private final HoldingsReservations reservations;
    private final NameLocks locks;
    private final Intents operations;

    public ReplicaSetLifecycle(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers,
                               HoldingsReservations reservations, NameLocks locks, Intents operations) {
        this.repo = repo;
        this.engine = engine;
        this.containers = containers;
        this.reservations = reservations;
        this.locks = locks;
        this.operations = operations;
    }

    /**
     * Recorded first, as a pause is: a crash before Docker stops the container is finished by the reconcile
     * (a stopped replicaset's running container is stopped), whereas a container stopped under a record that
     * still says running would read as an instance whose process exited by itself. What it holds is handed
     * back only once the container has stopped.
     */
    public void stop(String name, Caller caller) {
        try (var held = locks.lock(name)) {
            Stored<ReplicaSetRecord> stored = repo.require(name, caller);
            ReplicaSetRecord record = stored.record();
            if (record.state() == ReplicaSetState.STOPPED) {
                return;
            }
            repo.update(stored, record.stopped(), null);
            try {
                engine.stop(record.containerName());
            } catch (RuntimeException e) {
                // back to what it held: the container still runs on it, whatever the quota says now
                Undo.quietly(() -> QuotaLedger.unenforced(() -> {
                    repo.update(repo.require(name), record.inState(record.state()), null);
                    return null;
                }));
                throw EngineErrors.translate(e, ErrorCode.CONTAINER_STOP_FAILED, ErrorCode.INVALID_STATE, "stop replicaset '" + name + "'");
            }
            release(record);
            log.info("replicaset {} stopped: container {}, released GPUs {}, ports {}, CPUs {} and memory {}", name, record.containerName(),
                    record.gpus(), record.ports(), record.cpus().isEmpty() ? "none" : CpuList.format(record.cpus()),
                    record.memory() == 0 ? "none" : ByteSizes.format(record.memory()));
        }
    }

    public void pause(String name, Caller caller) {
        try (var held = locks.lock(name)) {
            Stored<ReplicaSetRecord> stored = repo.require(name, caller);
            ReplicaSetRecord record = stored.record();
            requireState(record, "pause", ReplicaSetState.RUNNING);
            // recorded first: a crash before the stop is finished by the startup reconcile
            repo.update(stored, record.inState(ReplicaSetState.PAUSED), null);
            try {
                engine.stop(record.containerName());
            } catch (RuntimeException e) {
                repo.update(repo.require(name), record.inState(ReplicaSetState.RUNNING), null);
                throw EngineErrors.translate(e, ErrorCode.CONTAINER_STOP_FAILED, ErrorCode.INVALID_STATE, "pause replicaset '" + name + "'");
            }
            log.info("replicaset {} paused: container {} stopped, keeps GPUs {} and ports {}", name, record.containerName(), record.gpus(), record.ports());
        }
    }

    public void resume(String name, Caller caller) {
        try (var held = locks.lock(name)) {
            Stored<ReplicaSetRecord> stored = repo.require(name, caller);
            ReplicaSetRecord record = stored.record();
            requireState(record, "continue", ReplicaSetState.PAUSED, ReplicaSetState.EXITED);
            if (engine.inspect(record.containerName()).isEmpty()) {
                throw ApiException.of(ErrorCode.INVALID_STATE, "container %s of replicaset '%s' is gone; use restart to make a new version", record.containerName(), name);
            }
            try {
                engine.start(record.containerName());
            } catch (RuntimeException e) {
                throw EngineErrors.translate(e, ErrorCode.CONTAINER_RUN_FAILED, ErrorCode.INVALID_STATE, "continue replicaset '" + name + "'");
            }
            Undo.onFailure(() -> repo.update(stored, record.inState(ReplicaSetState.RUNNING), null), () -> engine.stop(record.containerName()));
            log.info("replicaset {} continued: container {} started with GPUs {} and ports {}", name, record.containerName(), record.gpus(), record.ports());
        }
    }

    public void delete(String name, Caller caller) {
        try (var held = locks.lock(name)) {
            Stored<ReplicaSetRecord> stored = repo.require(name, caller);
            ReplicaSetRecord record = stored.record();
            List<ContainerSummary> found = containers.of(name);
            // forgotten first, with an intent naming the containers: those a crash leaves are removed by the reconcile
            Intent intent = Intent.deleting(Intent.REPLICASET, name, record.version(), found.stream().map(ContainerSummary::id).toList());
            repo.delete(stored, intent);
            List<String> removed = new ArrayList<>();
            for (ContainerSummary c : found) {
                try {
                    engine.remove(c.id());
                    removed.add(c.name());
                } catch (RuntimeException e) {
                    log.warn("replicaset {} deleted but container {} could not be removed yet ({}); the next reconcile removes it and then frees its GPUs and ports", name, c.name(), e.getMessage());
                }
            }
            if (removed.size() == found.size()) {
                // only once its containers are gone: one still there may run on them
                release(record);
                Undo.quietly(() -> operations.drop(intent));
            }
            log.info("replicaset {} deleted: removed containers {}, released GPUs {} and ports {}", name, removed,
                    removed.size() == found.size() ? record.gpus() : List.of(), removed.size() == found.size() ? record.ports() : Map.of());
        }
    }

    private void release(ReplicaSetRecord record) {
        reservations.release(record);
    }

    private static void requireState(ReplicaSetRecord record, String action, ReplicaSetState... wanted) {
        if (!java.util.Arrays.asList(wanted).contains(record.state())) {
            throw ApiException.of(ErrorCode.INVALID_STATE, "cannot %s replicaset '%s': it is %s, not %s", action, record.name(),
                    record.state().name().toLowerCase(), java.util.Arrays.stream(wanted).map(w -> w.name().toLowerCase()).collect(java.util.stream.Collectors.joining(" or ")));
        }
    }
}
