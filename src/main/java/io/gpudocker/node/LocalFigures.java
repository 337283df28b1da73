package io.gpudocker.node;

import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.resource.port.PortScheduler;
import java.time.Instant;
import java.util.function.Supplier;

/** What this node publishes about itself, read from its schedulers at each heartbeat. */
public class LocalFigures implements Supplier<NodeStatus> {
    private final String name;
    private final String version;
    private final GpuScheduler gpus;
    private final CpuScheduler cpus;
    private final MemoryPool memory;
    private final PortScheduler ports;
    private final Instant startedAt = Instant.now();
    private volatile String advertise;
    private volatile boolean ready;

    /** @param advertise the configured address, or null until the web server's port is known */
    public LocalFigures(String name, String version, String advertise, GpuScheduler gpus, CpuScheduler cpus, MemoryPool memory, PortScheduler ports) {
        this.name = name;
        this.version = version;
        this.advertise = advertise;
        this.gpus = gpus;
        this.cpus = cpus;
        this.memory = memory;
        this.ports = ports;
    }

    /** Once the web server listens: where to reach this node if the operator did not say, and that it serves. */
    public void serving(String defaultAdvertise) {
        if (advertise == null) {
            advertise = defaultAdvertise;
        }
        ready = true;
    }

    public String advertise() { return advertise; }

    @Override
    public NodeStatus get() {
        return new NodeStatus(name, advertise, version, startedAt, ready, gpus.inventory().stream().map(Gpu::uuid).toList(), gpus.total(),
                gpus.free().size(), cpus.total(), cpus.free().size(), memory.total(), memory.free(), ports.range().size(), ports.freeCount());
    }
}
