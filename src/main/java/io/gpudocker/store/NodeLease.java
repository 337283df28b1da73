package io.gpudocker.store;

/**
 * The etcd lease this node's presence holds: keys put under it vanish when the node stops or its heartbeat lapses,
 * e.g. what a tenant holds open on this node.
 */
@FunctionalInterface
public interface NodeLease {
    /** The lease now; 0 while the node holds none (before it registers, after it stopped). */
    long current();
}
