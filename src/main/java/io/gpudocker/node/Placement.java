package io.gpudocker.node;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.config.GdaProperties;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Where a create without a named node goes: among the up, ready, uncordoned nodes with enough free GPUs, pack (the
 * fewest free GPUs that still fit, so whole machines stay free for large requests) or spread (the most free). The
 * figures are what each node last published; a node that turns out full answers 409 and the next candidate is tried.
 */
public class Placement {
    private final NodeDirectory directory;
    private final GdaProperties.Node.Placement policy;

    public Placement(NodeDirectory directory, GdaProperties.Node.Placement policy) {
        this.directory = directory;
        this.policy = policy;
    }

    /**
     * The nodes to try, best first; empty when the create is simply this node's to answer: it is the only node up (a
     * single host answers exactly as it always has), or it is not listed itself (etcd wiped or its lease lost: its own
     * checks say why). Refused with 1012 when no node has that many GPUs at all, 1013 when none has them free.
     */
    public List<NodeStatus> choose(int gpus) {
        Map<String, NodeStatus> live = directory.live();
        if (!live.containsKey(directory.self()) || live.size() == 1) {
            return List.of();
        }
        return candidates(gpus, live);
    }

    /** The nodes to try, best first; refused with 1013 when none has {@code gpus} free. */
    public List<NodeStatus> candidates(int gpus) {
        return candidates(gpus, directory.live());
    }

    private List<NodeStatus> candidates(int gpus, Map<String, NodeStatus> live) {
        Map<String, NodeMember> members = directory.members();
        List<NodeStatus> open = live.values().stream()
                .filter(NodeStatus::ready)
                .filter(n -> members.get(n.name()) == null || !members.get(n.name()).cordoned())
                .toList();
        Comparator<NodeStatus> byFree = Comparator.comparingInt(NodeStatus::gpuFree);
        List<NodeStatus> fitting = open.stream().filter(n -> n.gpuFree() >= gpus)
                .sorted((policy == GdaProperties.Node.Placement.SPREAD ? byFree.reversed() : byFree).thenComparing(NodeStatus::name))
                .toList();
        if (fitting.isEmpty()) {
            NodeStatus largest = live.values().stream().max(Comparator.comparingInt(NodeStatus::gpuTotal)).orElse(null);
            if (largest != null && gpus > largest.gpuTotal()) {
                throw ApiException.of(ErrorCode.GPU_COUNT_INVALID, "gpuCount %d is more than any node has: the largest, '%s', has %d GPU(s)",
                        gpus, largest.name(), largest.gpuTotal());
            }
            String most = open.stream().max(byFree)
                    .map(n -> "the most free is " + n.gpuFree() + " on node '" + n.name() + "'")
                    .orElse("no node is up and open to new instances");
            throw ApiException.of(ErrorCode.GPU_NOT_ENOUGH, "no node has %d free GPU(s): %s", gpus, most);
        }
        return fitting;
    }
}
