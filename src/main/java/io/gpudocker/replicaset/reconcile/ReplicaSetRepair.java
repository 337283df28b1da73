package io.gpudocker.replicaset.reconcile;

import io.gpudocker.common.FrozenContainers;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.EngineUnavailableException;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.reconcile.RepairRules.Decision;
import io.gpudocker.replicaset.reconcile.RepairRules.Sorting;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Stored;
import io.gpudocker.store.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replicaset with a record, repaired under its lock: its containers thawed, sorted and brought to the
 * recorded state by {@link RepairRules}, the record written where the rules changed it, and the intents that
 * proved its leftovers settled once those are gone.
 */
class ReplicaSetRepair {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSetRepair.class);

    private final Sources sources;
    private final FrozenContainers frozen;
    private final ActionRunner runner;
    private final ExitSightings exits;

    /** @param frozen containers a live volume copy froze on purpose, which the reconcile leaves frozen */
    ReplicaSetRepair(Sources sources, FrozenContainers frozen, ActionRunner runner, ExitSightings exits) {
        this.sources = sources;
        this.frozen = frozen;
        this.runner = runner;
        this.exits = exits;
    }

    /**
     * A failure of its own (Docker refusing a call, its record changed meanwhile) is logged and leaves it as
     * recorded, so the others are still repaired. Docker or etcd out of reach ends the whole pass.
     */
    ReplicaSetRecord repairOrKeep(Stored<ReplicaSetRecord> stored, List<ContainerSummary> found, List<Intent> intents) {
        try {
            return repair(stored, found, intents);
        } catch (EngineUnavailableException | StoreUnavailableException unreachable) {
            throw unreachable;
        } catch (RuntimeException e) {
            log.warn("reconcile {}: left as recorded this pass, the next one tries again: {}", stored.record().name(), e.getMessage());
            return stored.record();
        }
    }

    /** Called under the replicaset's lock, with the intents of its operations read under that lock. */
    private ReplicaSetRecord repair(Stored<ReplicaSetRecord> stored, List<ContainerSummary> listed, List<Intent> intents) {
        ReplicaSetRecord record = stored.record();
        Sorting sorting = RepairRules.sort(record, thawLeftFrozen(record.name(), listed), intents);
        boolean provenRemoved = runner.apply(sorting.actions());
        RepairRules.StateRepair state = RepairRules.repair(record, sorting.current(), sorting.interruptedUpdate());
        Decision decision = state instanceof RepairRules.LookAtExit look ? lookAtExit(record, look.container()) : ((RepairRules.Decided) state).decision();
        runner.apply(decision.actions());
        ReplicaSetRecord after = decision.record();
        if (after != record) {
            // what Docker shows is recorded whatever the tenant's quota: counted, never refused
            QuotaLedger.unenforced(() -> {
                sources.records().update(stored, after, null);
                return null;
            });
        }
        if (provenRemoved) {
            sources.proofs().settle(intents);
        }
        return after;
    }

    private Decision lookAtExit(ReplicaSetRecord record, ContainerSummary c) {
        DockerLooks.ExitLook look = sources.docker().exitOf(c);
        return RepairRules.afterExitLook(record, c, look, exits.status(look.sighting(c)));
    }

    /** The containers as seen once those left frozen are thawed: a thawed one is seen as running. */
    private List<ContainerSummary> thawLeftFrozen(String name, List<ContainerSummary> found) {
        List<ContainerSummary> seen = new ArrayList<>();
        for (ContainerSummary c : found) {
            boolean thawed = RepairRules.thaw(name, c, frozen.byACallInFlight(c.name())).map(runner::apply).orElse(false);
            seen.add(thawed ? DockerLooks.thawed(c) : c);
        }
        return seen;
    }
}
