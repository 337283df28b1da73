package io.gpudocker.telemetry;

import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuReadings;
import io.gpudocker.resource.gpu.GpuSample;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The last pass's figures as Prometheus gauges, set again after every pass: per GPU
 * ({@code gda_gpu_utilization_percent{node,gpu_uuid,model,tenant,instance}}, memory, temperature, power; tenant and
 * instance empty for a free GPU) and per instance ({@code gda_instance_cpu_percent{node,tenant,instance}}, memory, GPU
 * utilization and GPU memory). A figure the driver did not give is left out, not reported as 0.
 */
class TelemetryGauges implements MeterBinder {
    private static final double MIB = 1024.0 * 1024.0;

    private final TelemetrySampler sampler;
    private final GpuReadings readings;
    private final GpuScheduler gpus;
    private final String node;
    private final List<Runnable> updates = new ArrayList<>();

    TelemetryGauges(TelemetrySampler sampler, GpuReadings readings, GpuScheduler gpus, String node) {
        this.sampler = sampler;
        this.readings = readings;
        this.gpus = gpus;
        this.node = node;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gpuGauge(registry, "gda.gpu.utilization.percent", "GPU utilization (nvidia-smi utilization.gpu)", s -> num(s.utilizationPercent()));
        gpuGauge(registry, "gda.gpu.memory.used.bytes", "GPU memory in use", s -> s.memoryUsedMiB() == null ? null : s.memoryUsedMiB() * MIB);
        gpuGauge(registry, "gda.gpu.memory.total.bytes", "GPU memory", s -> s.memoryTotalMiB() == null ? null : s.memoryTotalMiB() * MIB);
        gpuGauge(registry, "gda.gpu.temperature.celsius", "GPU temperature", s -> num(s.temperatureCelsius()));
        gpuGauge(registry, "gda.gpu.power.watts", "GPU board power draw", GpuSample::powerWatts);
        instanceGauge(registry, "gda.instance.cpu.percent", "CPU used by the instance, in percent of one core", InstancePoint::cpuPercent);
        instanceGauge(registry, "gda.instance.memory.bytes", "memory used by the instance", p -> num(p.memoryBytes()));
        instanceGauge(registry, "gda.instance.gpu.utilization.percent", "mean utilization of the instance's GPUs", InstancePoint::gpuUtilizationPercent);
        instanceGauge(registry, "gda.instance.gpu.memory.used.bytes", "GPU memory used on the instance's GPUs",
                p -> p.gpuMemoryUsedMiB() == null ? null : p.gpuMemoryUsedMiB() * MIB);
        Gauge.builder("gda.telemetry.pass.seconds", sampler, TelemetrySampler::lastPassSeconds)
                .description("how long the last telemetry pass took").tag("node", node).register(registry);
    }

    /** Sets every gauge from the last pass. */
    void update() {
        updates.forEach(Runnable::run);
    }

    private void gpuGauge(MeterRegistry registry, String name, String description, Function<GpuSample, Double> figure) {
        MultiGauge gauge = MultiGauge.builder(name).description(description).register(registry);
        updates.add(() -> {
            Map<String, GpuSample> latest = readings.latest().byUuid();
            Map<String, String> holders = gpus.allocations();
            Map<String, String> tenants = tenantsByInstance();
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (Gpu g : gpus.inventory()) {
                GpuSample s = latest.get(g.uuid());
                Double value = s == null ? null : figure.apply(s);
                if (value != null) {
                    String holder = holders.getOrDefault(g.uuid(), "");
                    rows.add(MultiGauge.Row.of(Tags.of("node", node, "gpu_uuid", g.uuid(), "model", g.model() == null ? "" : g.model(),
                            "tenant", tenants.getOrDefault(holder, ""), "instance", holder), value));
                }
            }
            gauge.register(rows, true);
        });
    }

    private void instanceGauge(MeterRegistry registry, String name, String description, Function<InstancePoint, Double> figure) {
        MultiGauge gauge = MultiGauge.builder(name).description(description).register(registry);
        updates.add(() -> {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (InstanceFigures f : sampler.lastPass()) {
                Double value = figure.apply(TelemetrySampler.point(f));
                if (value != null) {
                    rows.add(MultiGauge.Row.of(Tags.of("node", node, "tenant", f.tenant() == null ? "" : f.tenant(), "instance", f.name()), value));
                }
            }
            gauge.register(rows, true);
        });
    }

    private Map<String, String> tenantsByInstance() {
        Map<String, String> out = new java.util.HashMap<>();
        sampler.lastPass().forEach(f -> out.put(f.name(), f.tenant() == null ? "" : f.tenant()));
        return out;
    }

    private static Double num(Number n) {
        return n == null ? null : n.doubleValue();
    }
}
