package io.gpudocker.replicaset;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerView;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.Stored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes etcd and Docker agree at start: finishes or undoes what a killed process left half done, frees
 * what belongs to containers that no longer exist, and rebuilds the schedulers from the durable record.
 */
public class Reconciler {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final GpuScheduler gpus;
    private final PortScheduler ports;
    private final NameLocks locks;
    private final VersionPruner pruner;
    private final VersionContainers containers;

    public Reconciler(ReplicaSetRepository repo, ContainerEngine engine, GpuScheduler gpus, PortScheduler ports,
                      NameLocks locks, VersionPruner pruner, VersionContainers containers) {
        this.repo = repo;
        this.engine = engine;
        this.gpus = gpus;
        this.ports = ports;
        this.locks = locks;
        this.pruner = pruner;
        this.containers = containers;
    }

    public void reconcile(List<Gpu> inventory) {
        Map<String, List<ContainerView>> byName = new HashMap<>();
        for (ContainerView c : containers.all()) {
            byName.computeIfAbsent(c.label(ManagedLabels.REPLICASET), n -> new ArrayList<>()).add(c);
        }
        List<ReplicaSetRecord> records = new ArrayList<>();
        for (ReplicaSetRecord listed : repo.list()) {
            try (var held = locks.lock(listed.name())) {
                repo.find(listed.name()).map(s -> reconcile(s, byName.getOrDefault(listed.name(), List.of()))).ifPresent(records::add);
            }
            byName.remove(listed.name());
        }
        byName.forEach(this::removeOrphans);
        Map<String, String> gpuHolders = new HashMap<>();
        Map<Integer, String> portHolders = new HashMap<>();
        records.forEach(r -> {
            r.gpus().forEach(g -> gpuHolders.put(g, r.name()));
            r.ports().values().forEach(p -> portHolders.put(p, r.name()));
        });
        dropUnaccountedAllocations(gpuHolders, portHolders);
        gpus.load(inventory, gpuHolders);
        ports.load(portHolders);
        gpuHolders.forEach((uuid, holder) -> {
            if (!gpus.present(uuid)) {
                log.warn("GPU {} held by replicaset {} is no longer in the inventory; it is reported as missing and never handed out", uuid, holder);
            }
        });
        records.forEach(r -> pruner.schedule(r.name()));
        log.info("reconciled {} replicaset(s) with Docker: {} GPU(s) and {} port(s) held, {} GPU(s) free",
                records.size(), gpuHolders.size(), portHolders.size(), gpus.free().size());
    }

    /**
     * While serving: the same per-replicaset repairs as at start, each under the replicaset's lock and from a
     * fresh look at Docker, so a container removed or stopped behind the service's back gives its GPUs and
     * ports back without a restart. The schedulers are not reloaded (calls in flight hold reservations);
     * only what a repaired record no longer holds is released.
     */
    public void recheck() {
        for (ReplicaSetRecord listed : repo.list()) {
            String name = listed.name();
            try (var held = locks.lock(name)) {
                Optional<Stored<ReplicaSetRecord>> stored = repo.find(name);
                if (stored.isEmpty()) {
                    continue;
                }
                ReplicaSetRecord before = stored.get().record();
                ReplicaSetRecord after = reconcile(stored.get(), containers.of(name));
                gpus.release(name, before.gpus().stream().filter(g -> !after.gpus().contains(g)).toList());
                ports.release(name, before.ports().values().stream().filter(p -> !after.ports().containsValue(p)).toList());
            }
        }
    }

    private ReplicaSetRecord reconcile(Stored<ReplicaSetRecord> stored, List<ContainerView> found) {
        ReplicaSetRecord record = stored.record();
        String name = record.name();
        boolean interruptedUpdate = false;
        Optional<ContainerView> current = Optional.empty();
        for (ContainerView c : found) {
            long v = ManagedLabels.version(c.labels());
            if (v > record.version()) {
                // created by an update or create that never committed: undo it
                engine.remove(c.id());
                interruptedUpdate = true;
                log.info("reconcile {}: removed {} left by an interrupted update (recorded version is {})", name, c.name(), record.version());
            } else if (v == record.version()) {
                current = Optional.of(c);
            } else if (c.running()) {
                engine.stop(c.id());
                log.info("reconcile {}: stopped superseded container {}", name, c.name());
            }
        }
        ReplicaSetRecord after = record;
        switch (record.state()) {
            case RUNNING -> {
                if (current.isEmpty()) {
                    after = record.stopped();
                    log.info("reconcile {}: container {} was removed behind the service's back; released GPUs {} and ports {}",
                            name, record.containerName(), record.gpus(), record.ports());
                } else if (!current.get().running()) {
                    if (interruptedUpdate) {
                        engine.start(current.get().id());
                        log.info("reconcile {}: restarted {} stopped by an interrupted update", name, record.containerName());
                    } else {
                        after = record.stopped();
                        log.info("reconcile {}: container {} is not running ({}); shown as stopped, released GPUs {} and ports {}",
                                name, record.containerName(), current.get().status(), record.gpus(), record.ports());
                    }
                }
            }
            case PAUSED -> {
                if (current.isEmpty()) {
                    after = record.stopped();
                    log.info("reconcile {}: paused container {} was removed; released GPUs {} and ports {}", name, record.containerName(), record.gpus(), record.ports());
                } else if (current.get().running()) {
                    engine.stop(current.get().id());
                    log.info("reconcile {}: finished pausing {}", name, record.containerName());
                }
            }
            case STOPPED -> {
                if (current.isPresent() && current.get().running()) {
                    // its GPUs may belong to someone else by now
                    engine.stop(current.get().id());
                    log.info("reconcile {}: stopped {}, which was started outside the service while the replicaset is stopped", name, record.containerName());
                }
            }
        }
        if (after != record) {
            repo.update(stored, after, null);
        }
        return after;
    }

    private void removeOrphans(String name, List<ContainerView> containers) {
        if (name == null) {
            return;
        }
        try (var held = locks.lock(name)) {
            if (repo.find(name).isPresent()) {
                return; // created while we looked
            }
            for (ContainerView c : containers) {
                engine.remove(c.id());
                log.info("reconcile: removed {}, a container of replicaset {} which has no record (interrupted create or delete)", c.name(), name);
            }
        }
    }

    private void dropUnaccountedAllocations(Map<String, String> gpuHolders, Map<Integer, String> portHolders) {
        repo.gpuAllocations().forEach((uuid, holder) -> {
            if (!holder.equals(gpuHolders.get(uuid))) {
                repo.dropAllocation(uuid, null, holder);
                log.info("reconcile: GPU {} was recorded for {} which does not hold it; freed", uuid, holder);
            }
        });
        repo.portAllocations().forEach((port, holder) -> {
            if (!holder.equals(portHolders.get(port))) {
                repo.dropAllocation(null, port, holder);
                log.info("reconcile: port {} was recorded for {} which does not hold it; freed", port, holder);
            }
        });
    }
}
