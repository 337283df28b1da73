package io.gpudocker.quota;

/**
 * What a tenant holds of the resources etcd counts: GPUs, instances that hold resources (running, paused, exited;
 * a stopped one holds none), volumes and their declared sizes in bytes, exclusive CPU cores and memory in bytes.
 * Kept per tenant in one key that every change of its records moves in the same transaction.
 */
public record Usage(long gpus, long instances, long volumes, long volumeSize, long cores, long memory) {
    public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0);

    public Usage plus(Usage o) {
        return new Usage(gpus + o.gpus, instances + o.instances, volumes + o.volumes, volumeSize + o.volumeSize, cores + o.cores, memory + o.memory);
    }

    public Usage minus(Usage o) {
        return new Usage(gpus - o.gpus, instances - o.instances, volumes - o.volumes, volumeSize - o.volumeSize, cores - o.cores, memory - o.memory);
    }

    /** The amount of a counted resource; 0 for one etcd does not count here. */
    public long of(Resource r) {
        return switch (r) {
            case GPUS -> gpus;
            case INSTANCES -> instances;
            case VOLUMES -> volumes;
            case VOLUME_SIZE -> volumeSize;
            case CORES -> cores;
            case MEMORY -> memory;
            default -> 0;
        };
    }

    public boolean none() {
        return equals(NONE);
    }
}
