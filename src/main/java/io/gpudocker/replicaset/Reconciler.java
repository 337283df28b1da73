package io.gpudocker.replicaset;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerView;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.Cluster;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.Operation;
import io.gpudocker.store.Operations;
import io.gpudocker.store.Stored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes etcd and Docker agree at start: finishes or undoes what a killed process left half done, frees
 * what belongs to containers that no longer exist, and rebuilds the schedulers from the durable record.
 * A container is removed only where etcd proves it was never committed: an unfinished operation's intent
 * names it (see {@link Operation}); an absent record alone never removes anything.
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
    private final Operations operations;
    private final ClusterIdentity identity;
    private final ContainerProofs proofs;
    private final ComputeAllocator compute;

    public Reconciler(ReplicaSetRepository repo, ContainerEngine engine, GpuScheduler gpus, PortScheduler ports, NameLocks locks,
                      VersionPruner pruner, VersionContainers containers, Operations operations, ClusterIdentity identity,
                      ComputeAllocator compute) {
        this.repo = repo;
        this.engine = engine;
        this.gpus = gpus;
        this.ports = ports;
        this.locks = locks;
        this.pruner = pruner;
        this.containers = containers;
        this.operations = operations;
        this.identity = identity;
        this.proofs = new ContainerProofs(operations);
        this.compute = compute;
    }

    /** At start, after the start-up checks confirmed this deployment's identity, before the web server opens. */
    public void reconcile(List<Gpu> inventory, CpuTopology topology) {
        Cluster cluster = identity.cluster();
        Map<String, List<ContainerView>> byName = new HashMap<>();
        for (ContainerView c : containers.all()) {
            if (ContainerProofs.ours(c, cluster)) {
                byName.computeIfAbsent(c.label(ManagedLabels.REPLICASET), n -> new ArrayList<>()).add(c);
            }
        }
        Set<String> withIntents = proofs.namesWithIntents();
        List<ReplicaSetRecord> records = new ArrayList<>();
        for (ReplicaSetRecord listed : repo.list()) {
            String name = listed.name();
            try (var held = locks.lock(name)) {
                repo.find(name).map(s -> reconcile(s, byName.getOrDefault(name, List.of()), proofs.intentsOf(name, withIntents))).ifPresent(records::add);
            }
            byName.remove(name);
            withIntents.remove(name);
        }
        withIntents.addAll(byName.keySet());
        withIntents.forEach(this::removeUncommitted);
        Map<String, String> gpuHolders = new HashMap<>();
        Map<Integer, String> portHolders = new HashMap<>();
        records.forEach(r -> {
            r.gpus().forEach(g -> gpuHolders.put(g, r.name()));
            r.ports().values().forEach(p -> portHolders.put(p, r.name()));
        });
        Map<Integer, String> cpuHolders = new HashMap<>();
        records.forEach(r -> r.cpus().forEach(c -> cpuHolders.put(c, r.name())));
        dropUnaccountedAllocations(gpuHolders, portHolders);
        dropUnaccountedCpus(cpuHolders);
        gpus.load(inventory, gpuHolders);
        ports.load(portHolders);
        compute.load(topology, records);
        gpuHolders.forEach((uuid, holder) -> {
            if (!gpus.present(uuid)) {
                log.warn("GPU {} held by replicaset {} is no longer in the inventory; it is reported as missing and never handed out", uuid, holder);
            }
        });
        records.forEach(r -> pruner.schedule(r.name()));
        log.info("reconciled {} replicaset(s) with Docker: {} GPU(s), {} port(s) and {} CPU core(s) held, {} GPU(s) free",
                records.size(), gpuHolders.size(), portHolders.size(), cpuHolders.size(), gpus.free().size());
    }

    /**
     * While serving: the same per-replicaset repairs as at start, each under the replicaset's lock and from a
     * fresh look at Docker, so a container removed or stopped behind the service's back gives its GPUs and
     * ports back without a restart. The schedulers are not reloaded (calls in flight hold reservations);
     * only what a repaired record no longer holds is released. Nothing is done while etcd does not hold
     * this deployment's identity (wiped or replaced under the running service).
     */
    public void recheck() {
        if (!identity.holds()) {
            return;
        }
        Cluster cluster = identity.cluster();
        Set<String> withIntents = proofs.namesWithIntents();
        for (ReplicaSetRecord listed : repo.list()) {
            String name = listed.name();
            try (var held = locks.lock(name)) {
                Optional<Stored<ReplicaSetRecord>> stored = repo.find(name);
                if (stored.isEmpty()) {
                    continue;
                }
                ReplicaSetRecord before = stored.get().record();
                List<ContainerView> found = containers.of(name).stream().filter(c -> ContainerProofs.ours(c, cluster)).toList();
                ReplicaSetRecord after = reconcile(stored.get(), found, proofs.intentsOf(name, withIntents));
                gpus.release(name, before.gpus().stream().filter(g -> !after.gpus().contains(g)).toList());
                ports.release(name, before.ports().values().stream().filter(p -> !after.ports().containsValue(p)).toList());
                compute.releaseDifference(before, after);
            } finally {
                withIntents.remove(name);
            }
        }
        withIntents.forEach(this::removeUncommitted);
    }

    /** Called under the replicaset's lock, with the intents of its operations read under that lock. */
    private ReplicaSetRecord reconcile(Stored<ReplicaSetRecord> stored, List<ContainerView> found, List<Operation> intents) {
        ReplicaSetRecord record = stored.record();
        String name = record.name();
        boolean interruptedUpdate = false;
        Optional<ContainerView> current = Optional.empty();
        for (ContainerView c : found) {
            long v = ManagedLabels.version(c.labels());
            Optional<Operation> proof = ContainerProofs.uncommitted(c, intents);
            if (proof.isPresent()) {
                engine.remove(c.id());
                interruptedUpdate |= !proof.get().isDelete();
                log.info("reconcile {}: removed {}, left by an interrupted {} (operation {}; recorded version is {})",
                        name, c.name(), proof.get().action(), proof.get().id(), record.version());
            } else if (v > record.version()) {
                if (c.running()) {
                    // no record holds its GPUs and ports: they may be handed to someone else
                    engine.stop(c.id());
                    log.info("reconcile {}: stopped {}, whose version is above the recorded {}", name, c.name(), record.version());
                }
                proofs.reportKept(c, "its version is above the recorded " + record.version() + " and no unfinished operation made it (etcd may be older than Docker)");
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
                    log.info("reconcile {}: container {} was removed behind the service's back; released GPUs {}, ports {} and CPU cores {}",
                            name, record.containerName(), record.gpus(), record.ports(), record.cpus());
                } else if (!current.get().running()) {
                    if (interruptedUpdate) {
                        engine.start(current.get().id());
                        log.info("reconcile {}: restarted {} stopped by an interrupted update", name, record.containerName());
                    } else {
                        after = record.stopped();
                        log.info("reconcile {}: container {} is not running ({}); shown as stopped, released GPUs {}, ports {} and CPU cores {}",
                                name, record.containerName(), current.get().status(), record.gpus(), record.ports(), record.cpus());
                    }
                }
            }
            case PAUSED -> {
                if (current.isEmpty()) {
                    after = record.stopped();
                    log.info("reconcile {}: paused container {} was removed; released GPUs {}, ports {} and CPU cores {}", name, record.containerName(),
                            record.gpus(), record.ports(), record.cpus());
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
        intents.forEach(operations::drop);
        return after;
    }

    /**
     * A replicaset with no record: only containers an unfinished operation proves uncommitted are removed
     * (an interrupted create, or a delete that forgot the record but had not removed them yet). Any other
     * container may hold a user's data whose record is missing: it is kept, whatever etcd says.
     */
    private void removeUncommitted(String name) {
        if (name == null) {
            return;
        }
        try (var held = locks.lock(name)) {
            if (repo.find(name).isPresent()) {
                return; // created while we looked; the next pass reconciles it
            }
            Cluster cluster = identity.cluster();
            List<Operation> intents = operations.of(Operation.REPLICASET, name);
            for (ContainerView c : containers.of(name)) {
                if (!ContainerProofs.ours(c, cluster)) {
                    continue;
                }
                Optional<Operation> proof = ContainerProofs.uncommitted(c, intents);
                if (proof.isPresent()) {
                    engine.remove(c.id());
                    log.info("reconcile: removed {} of replicaset {}, left by an interrupted {} (operation {})", c.name(), name, proof.get().action(), proof.get().id());
                } else {
                    proofs.reportKept(c, "replicaset " + name + " has no record and no unfinished operation made it (start with --recover to rebuild its record)");
                }
            }
            intents.forEach(operations::drop);
        }
    }

    private void dropUnaccountedCpus(Map<Integer, String> cpuHolders) {
        repo.cpuAllocations().forEach((core, holder) -> {
            if (!holder.equals(cpuHolders.get(core))) {
                repo.dropCpuAllocation(core, holder);
                log.info("reconcile: CPU core {} was recorded for {} which does not hold it; freed", core, holder);
            }
        });
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
