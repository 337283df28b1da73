package io.gpudocker.resource;

import io.gpudocker.api.Caller;
import java.util.function.Predicate;

/**
 * The holders (replicaset names) whose names a caller may see: its own, or all for the admin, who is answered
 * from memory alone, so the resource maps (GPUs, ports, CPU cores, memory) still answer while etcd is down.
 */
@FunctionalInterface
public interface HolderVisibility {
    Predicate<String> visibleTo(Caller caller);
}
