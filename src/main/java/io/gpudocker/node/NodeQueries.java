package io.gpudocker.node;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.replicaset.ReplicaSetRecord;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.volume.VolumeRecord;
import io.gpudocker.volume.VolumeRepository;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The nodes as the API shows them: membership joined with liveness and with how many records name each. */
public class NodeQueries {
    private final NodeDirectory directory;
    private final NodeMembers members;
    private final ReplicaSetRepository replicaSets;
    private final VolumeRepository volumes;

    public NodeQueries(NodeDirectory directory, NodeMembers members, ReplicaSetRepository replicaSets, VolumeRepository volumes) {
        this.directory = directory;
        this.members = members;
        this.replicaSets = replicaSets;
        this.volumes = volumes;
    }

    public List<NodeView> list() {
        Map<String, NodeStatus> live = directory.live();
        Map<String, NodeMember> all = new TreeMap<>(directory.members());
        // a node whose membership write was lost still shows while it lives
        live.forEach((name, status) -> all.putIfAbsent(name, new NodeMember(name, status.advertise(), status.startedAt(), false)));
        Map<String, Long> sets = count(replicaSets.list(), ReplicaSetRecord::node);
        Map<String, Long> vols = count(volumes.list(), VolumeRecord::node);
        Map<String, DrainStatus> drains = directory.drains();
        return all.values().stream().map(m -> NodeView.of(m, live.get(m.name()), sets.getOrDefault(m.name(), 0L).intValue(),
                vols.getOrDefault(m.name(), 0L).intValue(), drains.get(m.name()))).toList();
    }

    public NodeView cordon(String name, boolean cordoned) {
        NodeMember changed = members.cordon(name, cordoned);
        int[] held = countOf(name);
        return NodeView.of(changed, directory.live(name).orElse(null), held[0], held[1], directory.drains().get(name));
    }

    public void remove(String name) {
        int[] held = countOf(name);
        if (held[0] + held[1] > 0) {
            throw ApiException.of(ErrorCode.NODE_IN_USE, "node '%s' still holds %d replicaset(s) and %d volume(s); delete them first", name, held[0], held[1]);
        }
        if (!members.forget(name)) {
            throw ApiException.of(ErrorCode.NODE_IN_USE, "node '%s' is up; stop its service first (a running node would join again)", name);
        }
    }

    private int[] countOf(String name) {
        int sets = (int) replicaSets.list().stream().filter(r -> name.equals(r.node())).count();
        int vols = (int) volumes.list().stream().filter(v -> name.equals(v.node())).count();
        return new int[] {sets, vols};
    }

    private static <R> Map<String, Long> count(List<R> records, Function<R, String> node) {
        return records.stream().map(node).filter(Objects::nonNull).collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
