package io.gpudocker.replicaset;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.common.NameLocks;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.store.Stored;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The history limits: keeps the containers (filesystem snapshots) of the newest {@code keep} versions and
 * removes older superseded ones on the work queue; keeps at most {@code maxRecords} version records, dropping
 * the oldest whose container is gone, so that repeated updates cannot fill etcd.
 */
public class VersionPruner {
    private static final Logger log = LoggerFactory.getLogger(VersionPruner.class);
    /** etcd refuses transactions of more than 128 operations by default; the rest go on the next pass. */
    private static final int MAX_DROPS_PER_PASS = 100;

    private final ReplicaSetRepository repo;
    private final ContainerEngine engine;
    private final VersionContainers containers;
    private final NameLocks locks;
    private final Executor workQueue;
    private final int keep;
    private final int maxRecords;

    public VersionPruner(ReplicaSetRepository repo, ContainerEngine engine, VersionContainers containers, NameLocks locks, Executor workQueue,
                         int keep, int maxRecords) {
        this.repo = repo;
        this.engine = engine;
        this.containers = containers;
        this.locks = locks;
        this.workQueue = workQueue;
        this.keep = keep;
        this.maxRecords = maxRecords;
    }

    /** Queues a pass; a full queue skips it (the next update queues another), it never fails the caller's committed change. */
    public void schedule(String name) {
        try {
            workQueue.execute(() -> {
                try {
                    prune(name);
                } catch (RuntimeException e) {
                    log.warn("pruning old versions of {} failed, the next update retries: {}", name, e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            log.warn("the work queue is full; pruning old versions of {} waits for its next update: {}", name, e.getMessage());
        }
    }

    /** Removes snapshots older than the newest {@code keep} versions and drops surplus records; returns the containers removed. */
    public List<String> prune(String name) {
        try (var held = locks.lock(name)) {
            Optional<Stored<ReplicaSetRecord>> stored = repo.find(name);
            if (stored.isEmpty()) {
                return List.of();
            }
            long oldestKept = stored.get().record().version() - keep + 1;
            List<String> removed = new ArrayList<>();
            List<ContainerSummary> present = containers.of(name);
            for (ContainerSummary c : present) {
                long v = ManagedLabels.version(c.labels());
                if (v > 0 && v < oldestKept && !c.running() && removeQuietly(name, c)) {
                    removed.add(c.name());
                }
            }
            if (!removed.isEmpty()) {
                log.info("replicaset {}: history limit {} removed superseded containers {}", name, keep, removed);
            }
            Set<String> removedNames = Set.copyOf(removed);
            dropSurplusRecords(stored.get(), present.stream().filter(c -> !removedNames.contains(c.name()))
                    .map(c -> ManagedLabels.version(c.labels())).collect(Collectors.toSet()));
            return removed;
        }
    }

    private boolean removeQuietly(String name, ContainerSummary c) {
        try {
            engine.remove(c.id());
            return true;
        } catch (RuntimeException e) {
            log.warn("replicaset {}: superseded container {} could not be removed yet ({}); the next pass retries", name, c.name(), e.getMessage());
            return false;
        }
    }

    /** Drops the oldest version records beyond {@code maxRecords}, never the current one nor one whose container exists. */
    private void dropSurplusRecords(Stored<ReplicaSetRecord> stored, Set<Long> withContainer) {
        ReplicaSetRecord record = stored.record();
        if (record.version() <= maxRecords) {
            return; // versions are numbered from 1, so there cannot be more records than that
        }
        List<Long> recorded = repo.recordedVersions(record.name());
        int surplus = recorded.size() - maxRecords;
        List<Long> drop = recorded.stream()
                .filter(v -> v != record.version() && !withContainer.contains(v))
                .limit(Math.min(Math.max(surplus, 0), MAX_DROPS_PER_PASS))
                .toList();
        if (drop.isEmpty()) {
            return;
        }
        if (repo.forgetVersions(stored, record.name(), drop)) {
            log.info("replicaset {}: history record limit {} dropped the records of versions {}-{} ({} record(s))",
                    record.name(), maxRecords, drop.get(0), drop.get(drop.size() - 1), drop.size());
        }
    }
}
