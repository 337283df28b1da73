package io.gpudocker.replicaset.reconcile;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerDetail;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.replicaset.VersionContainers;
import io.gpudocker.store.Cluster;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the reconcile sees Docker's containers: the lists it repairs from, the closer look at an exited one, and
 * the view of a container it has just thawed. Only containers this deployment made (or adopted) are shown.
 */
class DockerLooks {
    private static final Logger log = LoggerFactory.getLogger(DockerLooks.class);

    private final VersionContainers containers;
    private final ContainerEngine engine;

    DockerLooks(VersionContainers containers, ContainerEngine engine) {
        this.containers = containers;
        this.engine = engine;
    }

    /** What a closer look at a stopped container tells: its exit as inspected, and when the daemon started. */
    record ExitLook(ContainerDetail exited, Optional<Instant> dockerStarted) {
        ExitSightings.Sighting sighting(ContainerSummary c) {
            return new ExitSightings.Sighting(c.id(), exited.finishedAt(), dockerStarted.orElse(null));
        }
    }

    /** Every container of ours, by the replicaset its labels name, in one list call. */
    Map<String, List<ContainerSummary>> ourByName(Cluster cluster) {
        Map<String, List<ContainerSummary>> byName = new HashMap<>();
        for (ContainerSummary c : containers.all()) {
            if (ContainerProofs.ours(c, cluster)) {
                byName.computeIfAbsent(c.label(ManagedLabels.REPLICASET), n -> new ArrayList<>()).add(c);
            }
        }
        return byName;
    }

    List<ContainerSummary> ourOf(String name, Cluster cluster) {
        return containers.of(name).stream().filter(c -> ContainerProofs.ours(c, cluster)).toList();
    }

    /** The list shows no exit: inspected, falling back on the list's view where Docker lost it meanwhile. */
    ExitLook exitOf(ContainerSummary c) {
        ContainerDetail exited = engine.inspect(c.id()).orElse(ContainerDetail.of(c));
        return new ExitLook(exited, engine.startedAt());
    }

    /** Docker answered the unpause: from here on the container is seen as running. */
    static ContainerSummary thawed(ContainerSummary c) {
        return c.thawed();
    }

    /** Bind mounts are kept per container: those of containers gone since are taken down. */
    void releaseLeftoverBindMounts() {
        try {
            engine.releaseLeftoverBindMounts();
        } catch (RuntimeException e) {
            log.warn("leftover bind mounts not swept, the next pass retries: {}", e.getMessage());
        }
    }
}
