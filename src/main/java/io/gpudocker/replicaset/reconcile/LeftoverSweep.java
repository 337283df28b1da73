package io.gpudocker.replicaset.reconcile;

import io.gpudocker.docker.EngineUnavailableException;
import io.gpudocker.store.Cluster;
import io.gpudocker.store.Intent;
import io.gpudocker.store.StoreUnavailableException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is left of replicasets with no record: containers an unfinished intent proves uncommitted are removed,
 * every other one is kept, and what such a name still holds is released once its containers are gone.
 */
class LeftoverSweep {
    private static final Logger log = LoggerFactory.getLogger(LeftoverSweep.class);

    private final Sources sources;
    private final ActionRunner runner;
    private final AllocationAudit audit;

    LeftoverSweep(Sources sources, ActionRunner runner, AllocationAudit audit) {
        this.sources = sources;
        this.runner = runner;
        this.audit = audit;
    }

    /** A failure of this name's own is logged and left for the next pass; Docker or etcd out of reach ends the pass. */
    void sweepOrCarryOn(String name) {
        try {
            sweep(name);
        } catch (EngineUnavailableException | StoreUnavailableException unreachable) {
            throw unreachable;
        } catch (RuntimeException e) {
            log.warn("reconcile: leftovers of replicaset {} left this pass, the next one tries again: {}", name, e.getMessage());
        }
    }

    private void sweep(String name) {
        if (name == null) {
            return;
        }
        try (var held = sources.locks().lock(name)) {
            if (sources.records().find(name).isPresent()) {
                return; // created while we looked; the next pass reconciles it
            }
            Cluster cluster = sources.identity().cluster();
            List<Intent> intents = sources.proofs().intentsOf(name);
            List<RepairAction> actions = RepairRules.leftovers(name, sources.docker().ourOf(name, cluster), intents);
            boolean allRemoved = runner.apply(actions);
            if (allRemoved && actions.stream().noneMatch(RepairAction.Keep.class::isInstance)) {
                sources.proofs().settle(intents);
                audit.releaseEverythingHeldBy(name);
            }
        }
    }
}
