package io.gpudocker.quota;

import io.gpudocker.common.ByteSizes;

/**
 * What a tenant's quota bounds. The first six are counted in etcd from the records that hold them (so every node
 * sees one count); {@link #EXECUTES} and {@link #TERMINALS} are sessions, counted by the node that holds them open, and
 * {@link #IMAGES} the tenant's commits in the Docker engine of the node that made them.
 */
public enum Resource {
    GPUS("gpus", false),
    INSTANCES("instances", false),
    VOLUMES("volumes", false),
    VOLUME_SIZE("volumeSize", true),
    CORES("cores", false),
    MEMORY("memory", true),
    EXECUTES("executes", false),
    TERMINALS("terminals", false),
    IMAGES("images", false);

    private final String key;
    private final boolean bytes;

    Resource(String key, boolean bytes) {
        this.key = key;
        this.bytes = bytes;
    }

    /** Its name in the API, the stored quota and the refusal. */
    public String key() { return key; }

    /** Whether it is counted in bytes (shown as sizes) rather than in units. */
    public boolean bytes() { return bytes; }

    /** Whether etcd keeps its count (the tenant's usage key), so a take is checked in the transaction that records it. */
    public boolean stored() { return ordinal() <= MEMORY.ordinal(); }

    /** An amount of it, as people read it: a size for bytes, else the number. */
    public String format(long amount) {
        return bytes ? ByteSizes.format(amount) : Long.toString(amount);
    }
}
