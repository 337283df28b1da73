package io.gpudocker.recovery;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.ReplicaSetState;
import io.gpudocker.replicaset.ReplicaSetVersion;
import io.gpudocker.store.Json;
import io.gpudocker.store.Versioned;
import io.gpudocker.volume.VolumeRecord;
import io.gpudocker.volume.VolumeRepository;
import io.gpudocker.volume.VolumeVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --recover}: rebuilds the records of replicasets and volumes from the full version records their
 * containers and Docker volumes carry as a label. The current version is the highest one on disk; a
 * replicaset is RUNNING (holding what that version held) if its container runs, else STOPPED. Versions
 * whose containers were pruned are not on disk and are not rebuilt.
 */
class RecordRebuilder {
    private static final Logger log = LoggerFactory.getLogger(RecordRebuilder.class);

    private final ReplicaSetRepository replicaSets;
    private final VolumeRepository volumes;

    RecordRebuilder(ReplicaSetRepository replicaSets, VolumeRepository volumes) {
        this.replicaSets = replicaSets;
        this.volumes = volumes;
    }

    /** Returns the names whose records could not be rebuilt (objects made before versions were labelled). */
    List<String> rebuild(Census census) {
        List<String> skipped = new ArrayList<>();
        group(census.unknownContainers(), c -> c.label(ManagedLabels.REPLICASET)).forEach((name, found) -> {
            if (!rebuildReplicaSet(name, found)) {
                skipped.add(name);
            }
        });
        group(census.unknownVolumes(), v -> v.labels().get(ManagedLabels.VOLUME)).forEach((name, found) -> {
            if (!rebuildVolume(name, found)) {
                skipped.add(name);
            }
        });
        return skipped;
    }

    private boolean rebuildReplicaSet(String name, List<ContainerSummary> found) {
        List<ReplicaSetVersion> versions = parsed(found.stream().map(c -> c.label(ManagedLabels.RECORD)).toList(), ReplicaSetVersion.class);
        if (versions.isEmpty()) {
            log.warn("recover: replicaset {} cannot be rebuilt: its containers {} carry no version record (made before records were labelled); they are kept",
                    name, found.stream().map(ContainerSummary::name).toList());
            return false;
        }
        ReplicaSetVersion current = versions.get(versions.size() - 1);
        boolean running = found.stream().anyMatch(c -> c.name().equals(current.containerName()) && c.running());
        Instant created = versions.stream().map(ReplicaSetVersion::createTime).min(Comparator.naturalOrder()).orElse(Instant.now());
        String tenant = found.stream().map(c -> c.label(ManagedLabels.TENANT)).filter(Objects::nonNull).findFirst().orElse(null);
        ReplicaSetRecord record = new ReplicaSetRecord(name, current.version(), ReplicaSetState.RUNNING, current.gpus(), current.ports(), created, Instant.now(), tenant,
                current.cpus(), current.memory(), replicaSets.localNode(), current.spec().image());
        if (!running) {
            record = record.stopped();
        }
        if (!replicaSets.restore(record, versions)) {
            // something it holds is recorded for another replicaset: recorded stopped, the reconcile stops the container
            record = record.stopped();
            if (!replicaSets.restore(record, versions)) {
                throw new IllegalStateException("recover: etcd refused the rebuilt record of replicaset " + name + " (written by another writer meanwhile?)");
            }
            log.warn("recover: replicaset {}: its GPUs {}, ports {} or CPU cores {} are held by another record; recorded as stopped",
                    name, current.gpus(), current.ports(), current.cpus());
        }
        log.info("recover: replicaset {} rebuilt: versions {}, current {} ({}), GPUs {}, ports {}, CPU cores {}, memory {} bytes", name,
                versions.stream().map(ReplicaSetVersion::version).toList(), record.version(), record.state(), record.gpus(), record.ports(),
                record.cpus(), record.memory());
        return true;
    }

    private boolean rebuildVolume(String name, List<VolumeSummary> found) {
        List<VolumeVersion> versions = parsed(found.stream().map(v -> v.labels().get(ManagedLabels.RECORD)).toList(), VolumeVersion.class);
        if (versions.isEmpty()) {
            log.warn("recover: volume {} cannot be rebuilt: its Docker volumes {} carry no version record (made before records were labelled); they are kept",
                    name, found.stream().map(VolumeSummary::name).toList());
            return false;
        }
        VolumeVersion current = versions.get(versions.size() - 1);
        Instant created = versions.stream().map(VolumeVersion::createTime).min(Comparator.naturalOrder()).orElse(Instant.now());
        String tenant = found.stream().map(v -> v.labels().get(ManagedLabels.TENANT)).filter(Objects::nonNull).findFirst().orElse(null);
        VolumeRecord record = new VolumeRecord(name, current.version(), current.sizeBytes(), current.size(), current.sizeEnforced(), created, Instant.now(), tenant, volumes.localNode());
        if (!volumes.restore(record, versions)) {
            throw new IllegalStateException("recover: etcd refused the rebuilt record of volume " + name + " (written by another writer meanwhile?)");
        }
        log.info("recover: volume {} rebuilt: versions {}, current {} ({})", name, versions.stream().map(VolumeVersion::version).toList(),
                current.dockerName(), current.size() == null ? "unlimited" : current.size());
        return true;
    }

    /** The records the labels carry, oldest version first; a label that does not parse is left out. */
    private static <V extends Versioned> List<V> parsed(List<String> labels, Class<V> type) {
        List<V> versions = new ArrayList<>();
        for (String json : labels) {
            if (json == null) {
                continue;
            }
            try {
                versions.add(Json.read(json, type));
            } catch (RuntimeException e) {
                log.warn("recover: a {} label does not parse and is left out: {}", type.getSimpleName(), e.getMessage());
            }
        }
        versions.sort(Comparator.comparingLong(Versioned::version));
        return versions;
    }

    private static <T> Map<String, List<T>> group(List<T> objects, Function<T, String> name) {
        Map<String, List<T>> byName = new TreeMap<>();
        for (T o : objects) {
            String n = name.apply(o);
            if (n != null) {
                byName.computeIfAbsent(n, k -> new ArrayList<>()).add(o);
            }
        }
        return byName;
    }
}
