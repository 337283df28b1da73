package io.gpudocker.replicaset;

import io.gpudocker.common.FrozenContainers;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerView;
import io.gpudocker.docker.EngineUnavailableException;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.Cluster;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.Operation;
import io.gpudocker.store.Operations;
import io.gpudocker.store.Stored;
import io.gpudocker.store.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    private final FrozenContainers frozen;
    private final RepairAttempts attempts;
    private final ComputeAllocator compute;
    private final Duration exitGrace;
    private final Map<String, Long> exitsSeen = new ConcurrentHashMap<>();

    /**
     * @param frozen    containers a live volume copy froze on purpose, which the reconcile leaves frozen
     * @param exitGrace how long an exit must stay as first seen before it counts as the process's own
     */
    public Reconciler(ReplicaSetRepository repo, ContainerEngine engine, GpuScheduler gpus, PortScheduler ports, NameLocks locks,
                      VersionPruner pruner, VersionContainers containers, Operations operations, ClusterIdentity identity,
                      FrozenContainers frozen, RepairAttempts attempts, ComputeAllocator compute, Duration exitGrace) {
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
        this.frozen = frozen;
        this.attempts = attempts;
        this.compute = compute;
        this.exitGrace = exitGrace;
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
        for (ReplicaSetRecord listed : repo.local()) {
            String name = listed.name();
            try (var held = locks.lock(name)) {
                repo.find(name).map(s -> reconcileOrKeep(s, byName.getOrDefault(name, List.of()), proofs.intentsOf(name, withIntents))).ifPresent(records::add);
            }
            byName.remove(name);
            withIntents.remove(name);
        }
        withIntents.addAll(byName.keySet());
        withIntents.forEach(this::removeUncommittedOrCarryOn);
        Map<String, String> gpuHolders = new HashMap<>();
        Map<Integer, String> portHolders = new HashMap<>();
        records.forEach(r -> {
            r.gpus().forEach(g -> gpuHolders.put(g, r.name()));
            r.ports().values().forEach(p -> portHolders.put(p, r.name()));
        });
        Map<Integer, String> cpuHolders = new HashMap<>();
        records.forEach(r -> r.cpus().forEach(c -> cpuHolders.put(c, r.name())));
        Set<String> ownGpus = inventory.stream().map(Gpu::uuid).collect(java.util.stream.Collectors.toSet());
        ownGpus.addAll(gpuHolders.keySet());
        dropUnaccountedAllocations(ownGpus, gpuHolders, portHolders);
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
        Set<String> holders = new HashSet<>(gpus.allocations().values());
        holders.addAll(ports.allocations().values());
        for (ReplicaSetRecord listed : repo.local()) {
            String name = listed.name();
            try (var held = locks.lock(name)) {
                Optional<Stored<ReplicaSetRecord>> stored = repo.find(name);
                if (stored.isEmpty()) {
                    continue;
                }
                List<ContainerView> found = containers.of(name).stream().filter(c -> ContainerProofs.ours(c, cluster)).toList();
                ReplicaSetRecord after = reconcileOrKeep(stored.get(), found, proofs.intentsOf(name, withIntents));
                releaseWhatTheRecordDoesNotHold(after);
            } finally {
                withIntents.remove(name);
                holders.remove(name);
            }
        }
        withIntents.forEach(this::removeUncommittedOrCarryOn);
        holders.removeAll(withIntents);
        holders.forEach(this::removeUncommittedOrCarryOn);
    }

    /**
     * Under the name's lock no call of it is in flight, so what the schedulers hold for it beyond its record
     * is left over: released by a repair, or kept by a call whose record write had an unknown outcome.
     */
    private void releaseWhatTheRecordDoesNotHold(ReplicaSetRecord record) {
        String name = record.name();
        List<String> extraGpus = heldGpus(name).stream().filter(g -> !record.gpus().contains(g)).toList();
        List<Integer> extraPorts = heldPorts(name).stream().filter(p -> !record.ports().containsValue(p)).toList();
        gpus.release(name, extraGpus);
        ports.release(name, extraPorts);
        compute.releaseBeyond(record);
    }

    private List<String> heldGpus(String name) {
        return gpus.allocations().entrySet().stream().filter(e -> name.equals(e.getValue())).map(Map.Entry::getKey).toList();
    }

    private List<Integer> heldPorts(String name) {
        return ports.allocations().entrySet().stream().filter(e -> name.equals(e.getValue())).map(Map.Entry::getKey).toList();
    }

    /**
     * One replicaset's repairs; a failure of its own (Docker refusing a call, its record changed meanwhile) is
     * logged and leaves it as recorded, so the others are still repaired. Docker or etcd out of reach ends the
     * whole pass.
     */
    private ReplicaSetRecord reconcileOrKeep(Stored<ReplicaSetRecord> stored, List<ContainerView> found, List<Operation> intents) {
        try {
            return reconcile(stored, found, intents);
        } catch (EngineUnavailableException | StoreUnavailableException unreachable) {
            throw unreachable;
        } catch (RuntimeException e) {
            log.warn("reconcile {}: left as recorded this pass, the next one tries again: {}", stored.record().name(), e.getMessage());
            return stored.record();
        }
    }

    private void removeUncommittedOrCarryOn(String name) {
        try {
            removeUncommitted(name);
        } catch (EngineUnavailableException | StoreUnavailableException unreachable) {
            throw unreachable;
        } catch (RuntimeException e) {
            log.warn("reconcile: leftovers of replicaset {} left this pass, the next one tries again: {}", name, e.getMessage());
        }
    }

    /** Called under the replicaset's lock, with the intents of its operations read under that lock. */
    private ReplicaSetRecord reconcile(Stored<ReplicaSetRecord> stored, List<ContainerView> listed, List<Operation> intents) {
        ReplicaSetRecord record = stored.record();
        String name = record.name();
        boolean interruptedUpdate = false;
        boolean provenRemoved = true;
        Optional<ContainerView> current = Optional.empty();
        for (ContainerView c : thawLeftFrozen(name, listed)) {
            long v = ManagedLabels.version(c.labels());
            Optional<Operation> proof = ContainerProofs.uncommitted(c, intents);
            if (proof.isPresent()) {
                if (attempts.run("remove " + c.name(), () -> engine.remove(c.id()))) {
                    log.info("reconcile {}: removed {}, left by an interrupted {} (operation {}; recorded version is {})",
                            name, c.name(), proof.get().action(), proof.get().id(), record.version());
                } else {
                    provenRemoved = false;
                }
                interruptedUpdate |= !proof.get().isDelete();
            } else if (v > record.version()) {
                // no record holds its GPUs and ports: they may be handed to someone else
                if (c.running() && attempts.run("stop " + c.name(), () -> engine.stop(c.id()))) {
                    log.info("reconcile {}: stopped {}, whose version is above the recorded {}", name, c.name(), record.version());
                }
                proofs.reportKept(c, "its version is above the recorded " + record.version() + " and no unfinished operation made it (etcd may be older than Docker)");
            } else if (v == record.version()) {
                current = Optional.of(c);
            } else if (c.running() && attempts.run("stop " + c.name(), () -> engine.stop(c.id()))) {
                log.info("reconcile {}: stopped superseded container {}", name, c.name());
            }
        }
        ReplicaSetRecord after = switch (record.state()) {
            case RUNNING -> running(record, current, interruptedUpdate);
            case PAUSED -> paused(record, current);
            case STOPPED -> stopped(record, current);
            case EXITED -> exited(record, current);
        };
        if (after != record) {
            repo.update(stored, after, null);
        }
        if (provenRemoved) {
            intents.forEach(operations::drop);
        }
        return after;
    }

    /**
     * Recorded running: the instance keeps its GPUs and ports whether its container runs or not, unless the
     * container is gone. One stopped by Docker going away (a daemon restart, a reboot) or by an interrupted
     * update is started again; one whose own process exited is recorded EXITED and stays so (its exit code
     * shown) until the user stops, continues, restarts or deletes it.
     */
    private ReplicaSetRecord running(ReplicaSetRecord record, Optional<ContainerView> current, boolean interruptedUpdate) {
        String name = record.name();
        if (current.isEmpty()) {
            log.info("reconcile {}: container {} was removed behind the service's back; released GPUs {} and ports {}",
                    name, record.containerName(), record.gpus(), record.ports());
            return record.stopped();
        }
        ContainerView c = current.get();
        if (c.running() || c.paused()) {
            // paused: frozen by a live volume copy in flight, which thaws it
            exitsSeen.keySet().removeIf(k -> k.startsWith(c.id() + "@"));
            return record;
        }
        if (interruptedUpdate) {
            if (attempts.run("start " + c.name(), () -> engine.start(c.id()))) {
                log.info("reconcile {}: restarted {} stopped by an interrupted update", name, c.name());
            }
            return record;
        }
        ContainerView exited = engine.inspect(c.id()).orElse(c);
        Optional<Instant> dockerStarted = engine.startedAt();
        if (exited.finishedAt() == null || dockerStarted.isPresent() && !exited.finishedAt().isAfter(dockerStarted.get())) {
            if (attempts.run("start " + c.name(), () -> engine.start(c.id()))) {
                log.info("reconcile {}: started {} again with GPUs {} and ports {}; Docker had stopped it when it went away (it stopped at {}, Docker started at {})",
                        name, c.name(), record.gpus(), record.ports(), exited.finishedAt(), dockerStarted.map(Instant::toString).orElse("unknown"));
            }
            return record;
        }
        // a Docker shutting down still answers after it has stopped the containers: the exit counts as the
        // process's own only once a later look, exitGrace on, finds the same daemon and the same exit
        String sighting = c.id() + "@" + exited.finishedAt() + "@" + dockerStarted.orElse(null);
        long now = System.nanoTime();
        Long first = exitsSeen.putIfAbsent(sighting, now);
        if (first == null || now - first < exitGrace.toNanos()) {
            return record;
        }
        exitsSeen.remove(sighting);
        log.info("reconcile {}: the process of {} exited by itself with code {} at {}; recorded as exited, it keeps GPUs {} and ports {} until stopped, continued, restarted or deleted",
                name, c.name(), exited.exitCode(), exited.finishedAt(), record.gpus(), record.ports());
        return record.inState(ReplicaSetState.EXITED);
    }

    /** Recorded exited: stays so, Docker restarting or not; running again only if someone started it. */
    private ReplicaSetRecord exited(ReplicaSetRecord record, Optional<ContainerView> current) {
        if (current.isEmpty()) {
            log.info("reconcile {}: exited container {} was removed; released GPUs {} and ports {}", record.name(), record.containerName(), record.gpus(), record.ports());
            return record.stopped();
        }
        if (current.get().running()) {
            log.info("reconcile {}: exited container {} was started outside the service; recorded as running", record.name(), record.containerName());
            return record.inState(ReplicaSetState.RUNNING);
        }
        return record;
    }

    private ReplicaSetRecord paused(ReplicaSetRecord record, Optional<ContainerView> current) {
        if (current.isEmpty()) {
            log.info("reconcile {}: paused container {} was removed; released GPUs {} and ports {}", record.name(), record.containerName(), record.gpus(), record.ports());
            return record.stopped();
        }
        ContainerView c = current.get();
        if (c.running() && attempts.run("stop " + c.name(), () -> engine.stop(c.id()))) {
            log.info("reconcile {}: finished pausing {}", record.name(), record.containerName());
        }
        return record;
    }

    private ReplicaSetRecord stopped(ReplicaSetRecord record, Optional<ContainerView> current) {
        if (current.isPresent() && current.get().running()) {
            // its GPUs may belong to someone else by now
            ContainerView c = current.get();
            if (attempts.run("stop " + c.name(), () -> engine.stop(c.id()))) {
                log.info("reconcile {}: stopped {}, which was started outside the service while the replicaset is stopped", record.name(), c.name());
            }
        }
        return record;
    }

    /**
     * Thaws the containers Docker shows paused that no call in flight froze: a process that died in the middle
     * of a live volume copy left them frozen. They are seen as running from here on.
     */
    private List<ContainerView> thawLeftFrozen(String name, List<ContainerView> found) {
        List<ContainerView> seen = new ArrayList<>();
        for (ContainerView c : found) {
            if (c.paused() && !frozen.byACallInFlight(c.name()) && attempts.run("unpause " + c.name(), () -> engine.unpause(c.id()))) {
                log.info("reconcile {}: thawed {}, left frozen by an interrupted volume copy", name, c.name());
                seen.add(new ContainerView(c.id(), c.name(), "running", true, c.labels(), c.graphDriver(), c.upperDir()));
            } else {
                seen.add(c);
            }
        }
        return seen;
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
            boolean allRemoved = true;
            for (ContainerView c : containers.of(name)) {
                if (!ContainerProofs.ours(c, cluster)) {
                    continue;
                }
                Optional<Operation> proof = ContainerProofs.uncommitted(c, intents);
                if (proof.isEmpty()) {
                    proofs.reportKept(c, "replicaset " + name + " has no record and no unfinished operation made it (start with --recover to rebuild its record)");
                    allRemoved = false;
                } else if (attempts.run("remove " + c.name(), () -> engine.remove(c.id()))) {
                    log.info("reconcile: removed {} of replicaset {}, left by an interrupted {} (operation {})", c.name(), name, proof.get().action(), proof.get().id());
                } else {
                    allRemoved = false;
                }
            }
            if (allRemoved) {
                intents.forEach(operations::drop);
                releaseEverythingHeldBy(name);
            }
        }
    }

    /**
     * Under the lock of a name with no record no call is in flight, so nothing it holds in memory is
     * anyone's: a delete whose containers could not all be removed kept them reserved until now, a create
     * whose record write had an unknown outcome kept its reservations.
     */
    private void releaseEverythingHeldBy(String name) {
        List<String> heldGpus = heldGpus(name);
        List<Integer> heldPorts = heldPorts(name);
        compute.releaseAll(name);
        if (!heldGpus.isEmpty() || !heldPorts.isEmpty()) {
            gpus.release(name, heldGpus);
            ports.release(name, heldPorts);
            log.info("reconcile: released GPUs {} and ports {} of deleted replicaset {}, whose containers are gone now", heldGpus, heldPorts, name);
        }
    }

    private void dropUnaccountedCpus(Map<Integer, String> cpuHolders) {
        repo.allocations(AllocationKind.CPU).forEach((core, holder) -> {
            if (!holder.equals(cpuHolders.get(core))) {
                repo.dropAllocation(AllocationKind.CPU, core, holder);
                log.info("reconcile: CPU core {} was recorded for {} which does not hold it; freed", core, holder);
            }
        });
    }

    /** @param ownGpus this node's GPUs: the GPU keys are shared by every node, and the others' are theirs to settle */
    private void dropUnaccountedAllocations(Set<String> ownGpus, Map<String, String> gpuHolders, Map<Integer, String> portHolders) {
        repo.allocations(AllocationKind.GPU).forEach((uuid, holder) -> {
            if (ownGpus.contains(uuid) && !holder.equals(gpuHolders.get(uuid))) {
                repo.dropAllocation(AllocationKind.GPU, uuid, holder);
                log.info("reconcile: GPU {} was recorded for {} which does not hold it; freed", uuid, holder);
            }
        });
        repo.allocations(AllocationKind.PORT).forEach((port, holder) -> {
            if (!holder.equals(portHolders.get(port))) {
                repo.dropAllocation(AllocationKind.PORT, port, holder);
                log.info("reconcile: port {} was recorded for {} which does not hold it; freed", port, holder);
            }
        });
    }
}
