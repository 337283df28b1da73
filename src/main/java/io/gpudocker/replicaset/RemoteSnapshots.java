package io.gpudocker.replicaset;

import io.gpudocker.api.Caller;
import java.util.Set;

/**
 * Which of a replicaset's containers another node still holds: after a move its earlier versions stay where they ran,
 * and a history answered by the node it runs on now says of each whether it can still be rolled back to.
 */
@FunctionalInterface
public interface RemoteSnapshots {
    /** No other node to ask: nothing is known to be kept elsewhere. */
    RemoteSnapshots NONE = (node, name, caller) -> Set.of();

    /** The names of {@code name}'s containers on {@code node}; empty when that node cannot say (down, gone). */
    Set<String> containers(String node, String name, Caller caller);
}
