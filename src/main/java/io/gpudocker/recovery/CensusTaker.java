package io.gpudocker.recovery;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.store.Cluster;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Intents;
import io.gpudocker.volume.VolumeRecord;
import io.gpudocker.volume.VolumeRepository;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Compares what Docker holds under this service's prefix with what etcd knows. An object is known when it
 * was made under the cluster id etcd holds (or one a recovery adopted; objects older than the label count
 * by their record alone) and either its replicaset or volume has a record or an unfinished operation names it.
 */
class CensusTaker {
    private final ContainerEngine engine;
    private final VolumeEngine volumeEngine;
    private final ReplicaSetRepository replicaSets;
    private final VolumeRepository volumes;
    private final Intents operations;
    private final String owner;

    CensusTaker(ContainerEngine engine, VolumeEngine volumeEngine, ReplicaSetRepository replicaSets, VolumeRepository volumes, Intents operations, String owner) {
        this.engine = engine;
        this.volumeEngine = volumeEngine;
        this.replicaSets = replicaSets;
        this.volumes = volumes;
        this.operations = operations;
        this.owner = owner;
    }

    Census take(Optional<Cluster> cluster) {
        // a record on any node will do: a move leaves its source the stopped versions of an instance now recorded on its target
        Set<String> recordedSets = replicaSets.list().stream().map(ReplicaSetRecord::name).collect(Collectors.toSet());
        Set<String> recordedVolumes = volumes.list().stream().map(VolumeRecord::name).collect(Collectors.toSet());
        List<Intent> intents = operations.all();
        List<ContainerSummary> containers = engine.listByLabels(ManagedLabels.owner(owner)).stream()
                .filter(c -> !known(c.labels(), c.id(), ManagedLabels.REPLICASET, Intent.REPLICASET, recordedSets, intents, cluster))
                .toList();
        List<VolumeSummary> vols = volumeEngine.listVolumesByLabels(ManagedLabels.owner(owner)).stream()
                .filter(v -> !known(v.labels(), v.name(), ManagedLabels.VOLUME, Intent.VOLUME, recordedVolumes, intents, cluster))
                .toList();
        Set<String> clashes = new TreeSet<>();
        containers.stream().map(c -> c.label(ManagedLabels.REPLICASET)).filter(recordedSets::contains).forEach(n -> clashes.add("replicaset " + n));
        vols.stream().map(v -> v.labels().get(ManagedLabels.VOLUME)).filter(recordedVolumes::contains).forEach(n -> clashes.add("volume " + n));
        return new Census(containers, vols, clashes);
    }

    private static boolean known(Map<String, String> labels, String objectId, String nameLabel, String kind, Set<String> recorded,
                                 List<Intent> intents, Optional<Cluster> cluster) {
        String madeUnder = labels.get(ManagedLabels.CLUSTER);
        if (madeUnder != null && cluster.map(c -> !c.accepts(madeUnder)).orElse(true)) {
            return false;
        }
        String name = labels.get(nameLabel);
        if (name == null || recorded.contains(name)) {
            return true;
        }
        String madeBy = labels.get(ManagedLabels.OPERATION);
        return intents.stream().anyMatch(i -> i.concerns(kind, name) && (i.isDelete() ? i.objects().contains(objectId) : i.id().equals(madeBy)));
    }
}
