package io.gpudocker.node;

import io.gpudocker.api.Owned;
import io.gpudocker.api.RunsOn.Where;
import java.util.Optional;

/** The record that says which node holds an object, for the routes to an owner; a value not of this service reads as none. */
@FunctionalInterface
interface OwnedRecords {
    Optional<Owned> find(Where owner, String name);

    /** The record as etcd holds it now: asked after the node {@link #find} named refused the call as not its own. */
    default Optional<Owned> refresh(Where owner, String name) {
        return find(owner, name);
    }
}
