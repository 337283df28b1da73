package io.gpudocker.ops;

import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The GPU inventory read from nvidia-smi at start and who holds each card. Always UP: a host without GPUs
 * still serves cardless instances, so zero GPUs is reported, not treated as a failure.
 */
@Component("gpus")
public class GpuHealthIndicator implements HealthIndicator {
    private final GpuScheduler gpus;

    public GpuHealthIndicator(GpuScheduler gpus) {
        this.gpus = gpus;
    }

    @Override
    public Health health() {
        Map<String, String> holders = gpus.allocations();
        List<Map<String, Object>> inventory = gpus.inventory().stream().map(g -> describe(g, holders.get(g.uuid()))).toList();
        return Health.up()
                .withDetail("total", gpus.total())
                .withDetail("free", gpus.free().size())
                .withDetail("inventory", inventory)
                .build();
    }

    private static Map<String, Object> describe(Gpu g, String holder) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", g.index());
        m.put("uuid", g.uuid());
        m.put("model", g.model());
        m.put("memoryMiB", g.memoryMiB());
        m.put("holder", holder);
        return m;
    }
}
