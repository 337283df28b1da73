package io.gpudocker.replicaset.reconcile;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.store.Cluster;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the reconcile accepts as proof that a container was never committed: an intent of an unfinished
 * operation that made it, or of a delete that was removing it. Containers without such a proof are kept,
 * and reported once each.
 */
class ContainerProofs {
    private static final Logger log = LoggerFactory.getLogger(ContainerProofs.class);

    private final Intents operations;
    private final Set<String> reportedKept = ConcurrentHashMap.newKeySet();

    ContainerProofs(Intents operations) {
        this.operations = operations;
    }

    /** The unfinished operation that made the container, or the delete that was removing it. */
    static Optional<Intent> uncommitted(ContainerSummary c, List<Intent> intents) {
        String made = c.label(ManagedLabels.OPERATION);
        return intents.stream().filter(i -> i.isDelete() ? i.objects().contains(c.id()) : i.id().equals(made)).findFirst();
    }

    /** Made by this deployment (or adopted by a recovery), or older than the cluster label: only those are ever acted on. */
    static boolean ours(ContainerSummary c, Cluster cluster) {
        String id = c.label(ManagedLabels.CLUSTER);
        return id == null || cluster.accepts(id);
    }

    /** The replicasets with unfinished operations, read in one round trip. */
    Set<String> namesWithIntents() {
        Set<String> names = new HashSet<>();
        operations.all().stream().filter(o -> Intent.REPLICASET.equals(o.kind())).forEach(o -> names.add(o.name()));
        return names;
    }

    /** Read again under the replicaset's lock: an intent seen before it may belong to a call that has committed since. */
    List<Intent> intentsOf(String name, Set<String> withIntents) {
        return withIntents.contains(name) ? operations.of(Intent.REPLICASET, name) : List.of();
    }

    /** Read under the name's lock, where no call of it is in flight. */
    List<Intent> intentsOf(String name) {
        return operations.of(Intent.REPLICASET, name);
    }

    /** The objects these intents named are committed or gone: nothing is left for them to prove. */
    void settle(List<Intent> intents) {
        intents.forEach(operations::drop);
    }

    void reportKept(ContainerSummary c, String why) {
        if (reportedKept.add(c.id())) {
            log.warn("reconcile: kept container {}: {}; it is never removed on the word of an absent record", c.name(), why);
        }
    }
}
