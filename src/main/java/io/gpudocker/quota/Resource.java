package io.gpudocker.quota;

import io.gpudocker.common.ByteSizes;

/**
 * What a tenant's quota bounds, each counted in etcd so every node of a cluster sees one count: the first six from
 * the records that hold them (the tenant's usage key); {@link #EXECUTES}, {@link #TERMINALS} (open sessions) and
 * {@link #IMAGES} (committed images) one key each ({@link TenantHolds}).
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
