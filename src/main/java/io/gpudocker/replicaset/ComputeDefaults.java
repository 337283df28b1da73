package io.gpudocker.replicaset;

/**
 * The operator's shares of CPU cores and memory (bytes) per GPU, and for cardless instances, which apply where
 * a spec asks for nothing of its own; 0 everywhere (the default) leaves instances unpinned and unlimited. An
 * explicit ask in the spec always wins, 0 included.
 *
 * @param shmSize /dev/shm size (bytes) where the spec asks for none; 0: Docker's default (64MB)
 */
public record ComputeDefaults(int cpusPerGpu, int cpusWithoutGpu, long memoryPerGpu, long memoryWithoutGpu, long shmSize) {
    public static final ComputeDefaults NONE = new ComputeDefaults(0, 0, 0, 0, 0);

    public ComputeDefaults {
        if (cpusPerGpu < 0 || cpusWithoutGpu < 0 || memoryPerGpu < 0 || memoryWithoutGpu < 0 || shmSize < 0) {
            throw new IllegalArgumentException("gda.resources shares must not be negative");
        }
    }

    public int cpus(ReplicaSetSpec spec) {
        if (spec.cpuCount() != null) {
            return spec.cpuCount();
        }
        return spec.gpuCount() > 0 ? Math.multiplyExact(cpusPerGpu, spec.gpuCount()) : cpusWithoutGpu;
    }

    public long memory(ReplicaSetSpec spec) {
        if (spec.memory() != null) {
            return spec.memory();
        }
        return spec.gpuCount() > 0 ? Math.multiplyExact(memoryPerGpu, spec.gpuCount()) : memoryWithoutGpu;
    }

    public long shmSize(ReplicaSetSpec spec) {
        return spec.shmSize() != null ? spec.shmSize() : shmSize;
    }
}
