package io.gpudocker.replicaset;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The history limit: keeps the containers (filesystem snapshots) of the newest {@code keep} versions and
 * removes older superseded ones on the work queue. Their specs stay in the history.
 */
public class VersionPruner {
    private static final Logger log = LoggerFactory.getLogger(VersionPruner.class);

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final VersionContainers containers;
    private final NameLocks locks;
    private final Executor workQueue;
    private final int keep;

    public VersionPruner(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers, NameLocks locks, Executor workQueue, int keep) {
        this.repo = repo;
        this.engine = engine;
        this.containers = containers;
        this.locks = locks;
        this.workQueue = workQueue;
        this.keep = keep;
    }

    public void schedule(String name) {
        workQueue.execute(() -> {
            try {
                prune(name);
            } catch (RuntimeException e) {
                log.warn("pruning old versions of {} failed, the next update retries: {}", name, e.getMessage());
            }
        });
    }

    /** Removes snapshots older than the newest {@code keep} versions; returns the containers removed. */
    public List<String> prune(String name) {
        try (var held = locks.lock(name)) {
            var record = repo.find(name);
            if (record.isEmpty()) {
                return List.of();
            }
            long oldestKept = record.get().record().version() - keep + 1;
            List<String> removed = new ArrayList<>();
            for (ContainerView c : containers.of(name)) {
                long v = ManagedLabels.version(c.labels());
                if (v > 0 && v < oldestKept && !c.running()) {
                    engine.remove(c.id());
                    removed.add(c.name());
                }
            }
            if (!removed.isEmpty()) {
                log.info("replicaset {}: history limit {} removed superseded containers {}", name, keep, removed);
            }
            return removed;
        }
    }
}
