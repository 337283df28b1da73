package io.gpudocker.resource;

import io.gpudocker.api.Caller;
import java.util.Set;

/** The holders (replicaset names) whose names a caller may see: its own, or all for the admin. */
@FunctionalInterface
public interface HolderVisibility {
    Set<String> visibleTo(Caller caller);
}
