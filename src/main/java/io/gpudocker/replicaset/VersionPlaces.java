package io.gpudocker.replicaset;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which node holds the container of a version, read from the history: a version made by a move or by a rollback across
 * nodes says in its cause the node the version before it was on ({@code move from node gpu1}, {@code rollback to 3 from
 * node gpu1}); every other version was made where the one before it was.
 */
public final class VersionPlaces {
    private static final Pattern ARRIVED = Pattern.compile("^(?:move|rollback to \\d+) from node (\\S+)$");

    private VersionPlaces() {}

    /** The cause of a version that arrived from another node, the version before it being on {@code from}. */
    public static String arrivedFrom(String from) {
        return "move from node " + from;
    }

    /** The cause of a rollback to {@code k} whose new version is made on another node than {@code from}, which held the one before. */
    public static String rolledBackFrom(long k, String from) {
        return "rollback to " + k + " from node " + from;
    }

    /** The node the version before one of this cause was on; empty when that version was made on the same node. */
    public static Optional<String> previousNode(String cause) {
        if (cause == null) {
            return Optional.empty();
        }
        Matcher m = ARRIVED.matcher(cause);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * The node holding version {@code k}'s container, given that the newest version of {@code history} runs on
     * {@code currentNode} (null: a record from before nodes, whose versions are all where it is).
     */
    public static String nodeOf(String currentNode, List<ReplicaSetVersion> history, long k) {
        String node = currentNode;
        if (node == null) {
            return null;
        }
        List<ReplicaSetVersion> newestFirst = history.stream().filter(v -> v.version() > k)
                .sorted(Comparator.comparingLong(ReplicaSetVersion::version).reversed()).toList();
        for (ReplicaSetVersion v : newestFirst) {
            node = previousNode(v.cause()).orElse(node);
        }
        return node;
    }
}
