package io.gpudocker.quota;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A tenant's limits, each the most it may hold at once; null: no limit. Sizes ({@code volumeSize}, {@code memory})
 * in bytes. As stored in etcd and as the settings give the defaults.
 */
public record Quota(Long gpus, Long instances, Long volumes, Long volumeSize, Long cores, Long memory, Long executes, Long terminals,
                    Long images) {
    public static final Quota UNLIMITED = new Quota(null, null, null, null, null, null, null, null, null);

    /** The limit on {@code r}; null: none. */
    public Long limit(Resource r) {
        return switch (r) {
            case GPUS -> gpus;
            case INSTANCES -> instances;
            case VOLUMES -> volumes;
            case VOLUME_SIZE -> volumeSize;
            case CORES -> cores;
            case MEMORY -> memory;
            case EXECUTES -> executes;
            case TERMINALS -> terminals;
            case IMAGES -> images;
        };
    }

    @JsonIgnore
    public boolean unlimited() {
        return equals(UNLIMITED);
    }
}
