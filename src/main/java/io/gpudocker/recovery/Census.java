package io.gpudocker.recovery;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.VolumeSummary;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What Docker holds under this service's prefix that etcd does not account for: containers and volumes with
 * no record and no unfinished operation, or made under a cluster id etcd does not hold.
 *
 * @param clashes names of unknown objects that etcd has a record of all the same (made by another
 *                deployment's etcd under the same name): never rebuilt over, never adopted
 */
record Census(List<ContainerSummary> unknownContainers, List<VolumeSummary> unknownVolumes, Set<String> clashes) {

    boolean clean() { return unknownContainers.isEmpty() && unknownVolumes.isEmpty(); }

    /** The replicasets (instances) the unknown containers belong to. */
    Set<String> instances() {
        return names(unknownContainers.stream().map(c -> c.label(ManagedLabels.REPLICASET)));
    }

    /** The volumes the unknown Docker volumes are versions of. */
    Set<String> volumes() {
        return names(unknownVolumes.stream().map(v -> v.labels().get(ManagedLabels.VOLUME)));
    }

    /** The cluster ids the unknown objects were made under (none for objects older than the label). */
    Set<String> clusterIds() {
        return names(Stream.concat(unknownContainers.stream().map(ContainerSummary::labels), unknownVolumes.stream().map(VolumeSummary::labels))
                .map(l -> l.get(ManagedLabels.CLUSTER)));
    }

    String describe() {
        return String.format("%d instance(s) %s (%d container(s) %s) and %d volume(s) %s (%d Docker volume(s) %s)",
                instances().size(), instances(), unknownContainers.size(), names(unknownContainers.stream().map(ContainerSummary::name)),
                volumes().size(), volumes(), unknownVolumes.size(), names(unknownVolumes.stream().map(VolumeSummary::name)));
    }

    private static Set<String> names(Stream<String> names) {
        Set<String> sorted = new TreeSet<>();
        names.filter(Objects::nonNull).forEach(sorted::add);
        return sorted;
    }
}
