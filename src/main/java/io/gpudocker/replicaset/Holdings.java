package io.gpudocker.replicaset;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an instance holds: GPUs by UUID, host ports by the container port they serve, exclusive CPU cores, and
 * its share of the memory pool in bytes (0: none). Records keep these as their own fields (the stored JSON
 * predates this value); {@code holdings()} on a record or version gathers them.
 */
public record Holdings(List<String> gpus, Map<String, Integer> ports, List<Integer> cores, long memory) {
    public static final Holdings NONE = new Holdings(List.of(), Map.of(), List.of(), 0L);

    public Holdings {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        // in the order given: a version's port map is written as it was handed out
        ports = ports == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(ports));
        cores = cores == null ? List.of() : List.copyOf(cores);
    }

    public Collection<Integer> hostPorts() { return ports.values(); }
}
