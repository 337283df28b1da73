package io.gpudocker.node;

import java.time.Instant;
import java.util.List;

/**
 * What a live node publishes under its lease: where to reach it and what it has free, for placement and
 * {@code GET /nodes}. Rewritten only when a figure changes.
 */
public record NodeStatus(
        String name,
        String advertise,
        String version,
        Instant startedAt,
        boolean ready,
        List<String> gpus,
        int gpuTotal,
        int gpuFree,
        int cpuTotal,
        int cpuFree,
        long memoryTotal,
        long memoryFree,
        int portTotal,
        int portFree) {

    public NodeStatus {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
    }
}
