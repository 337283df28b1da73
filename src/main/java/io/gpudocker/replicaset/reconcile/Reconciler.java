package io.gpudocker.replicaset.reconcile;

import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.VersionPruner;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.store.Cluster;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Stored;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes etcd and Docker agree, at start and while serving: finishes or undoes what a killed process left half
 * done, frees what belongs to containers that no longer exist, and at start rebuilds the schedulers from the
 * durable record. A container is removed only where etcd proves it was never committed: an unfinished
 * operation's intent names it (see {@link Intent}); an absent record alone never removes anything.
 */
public class Reconciler {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final Sources sources;
    private final ReplicaSetRepair repair;
    private final LeftoverSweep sweep;
    private final AllocationAudit audit;
    private final VersionPruner pruner;

    Reconciler(Sources sources, ReplicaSetRepair repair, LeftoverSweep sweep, AllocationAudit audit, VersionPruner pruner) {
        this.sources = sources;
        this.repair = repair;
        this.sweep = sweep;
        this.audit = audit;
        this.pruner = pruner;
    }

    /** At start, after the start-up checks confirmed this deployment's identity, before the web server opens. */
    public void reconcile(List<Gpu> inventory, CpuTopology topology) {
        Cluster cluster = sources.identity().cluster();
        Map<String, List<ContainerSummary>> byName = sources.docker().ourByName(cluster);
        Set<String> withIntents = sources.proofs().namesWithIntents();
        List<ReplicaSetRecord> records = new ArrayList<>();
        for (ReplicaSetRecord listed : sources.records().local()) {
            String name = listed.name();
            try (var held = sources.locks().lock(name)) {
                // read again under the lock: a move may have given it to another node since the list
                sources.records().find(name).filter(s -> sources.records().isLocal(s.record()))
                        .map(s -> repair.repairOrKeep(s, byName.getOrDefault(name, List.of()), sources.proofs().intentsOf(name, withIntents)))
                        .ifPresent(records::add);
            }
            byName.remove(name);
            withIntents.remove(name);
        }
        withIntents.addAll(byName.keySet());
        withIntents.forEach(sweep::sweepOrCarryOn);
        sources.docker().releaseLeftoverBindMounts();
        AllocationAudit.Held held = audit.rebuild(records, inventory, topology);
        records.forEach(r -> pruner.schedule(r.name()));
        log.info("reconciled {} replicaset(s) with Docker: {} GPU(s), {} port(s) and {} CPU core(s) held, {} GPU(s) free",
                records.size(), held.gpus(), held.ports(), held.cpus(), audit.freeGpus());
    }

    /**
     * While serving: the same per-replicaset repairs as at start, each under the replicaset's lock and from a
     * fresh look at Docker, so a container removed or stopped behind the service's back gives back what it
     * holds (GPUs, ports, cores, memory) without a restart. The schedulers are not reloaded (calls in flight hold reservations);
     * only what a repaired record no longer holds is released. Nothing is done while etcd does not hold
     * this deployment's identity (wiped or replaced under the running service).
     */
    public void recheck() {
        if (!sources.identity().holds()) {
            return;
        }
        Cluster cluster = sources.identity().cluster();
        Set<String> withIntents = sources.proofs().namesWithIntents();
        Set<String> holders = audit.holders();
        for (ReplicaSetRecord listed : sources.records().local()) {
            String name = listed.name();
            try (var held = sources.locks().lock(name)) {
                Optional<Stored<ReplicaSetRecord>> stored = sources.records().find(name);
                if (stored.isEmpty() || !sources.records().isLocal(stored.get().record())) {
                    // deleted, or moved to another node since the list: that node looks after it now
                    continue;
                }
                List<ContainerSummary> found = sources.docker().ourOf(name, cluster);
                ReplicaSetRecord after = repair.repairOrKeep(stored.get(), found, sources.proofs().intentsOf(name, withIntents));
                audit.releaseWhatTheRecordDoesNotHold(after);
            } finally {
                withIntents.remove(name);
                holders.remove(name);
            }
        }
        withIntents.forEach(sweep::sweepOrCarryOn);
        holders.removeAll(withIntents);
        holders.forEach(sweep::sweepOrCarryOn);
        sources.docker().releaseLeftoverBindMounts();
    }
}
