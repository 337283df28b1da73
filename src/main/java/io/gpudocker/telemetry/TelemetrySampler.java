package io.gpudocker.telemetry;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuProcess;
import io.gpudocker.resource.gpu.GpuReadings;
import io.gpudocker.resource.gpu.GpuSample;
import io.gpudocker.resource.gpu.GpuScheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass every period: this node's GPUs from nvidia-smi (skipped on a host without GPUs), its running instances from
 * Docker (one list call), each instance's CPU and memory from its cgroup, and each GPU process mapped to its instance
 * through its cgroup. Each instance's figures go into its series; the GPUs' into {@link GpuReadings}.
 */
public class TelemetrySampler {
    private static final Logger log = LoggerFactory.getLogger(TelemetrySampler.class);
    private static final NvidiaSmiTelemetry.Reading NO_GPUS = new NvidiaSmiTelemetry.Reading(List.of(), List.of(), null);

    /** CPU time of a container at a pass, for the next pass's rate. */
    private record CpuMark(long nanos, Instant at) {}

    private final NvidiaSmiTelemetry smi;
    private final CgroupReader cgroups;
    private final ContainerEngine engine;
    private final String owner;
    private final GpuScheduler gpus;
    private final GpuReadings readings;
    private final Supplier<Map<String, String>> tenants;
    private final Clock clock;
    private final int recentSamples;
    private final int dailyMinutes;
    private final Duration keepStopped;
    private final Map<String, InstanceSeries> series = new ConcurrentHashMap<>();
    private final Map<String, CpuMark> cpuMarks = new HashMap<>();
    private volatile List<InstanceFigures> lastPass = List.of();
    private volatile long lastPassNanos;
    private volatile String engineFailure;

    TelemetrySampler(NvidiaSmiTelemetry smi, CgroupReader cgroups, ContainerEngine engine, String owner, GpuScheduler gpus,
                     GpuReadings readings, Supplier<Map<String, String>> tenants, Clock clock, int recentSamples, int dailyMinutes, Duration keepStopped) {
        this.smi = smi;
        this.cgroups = cgroups;
        this.engine = engine;
        this.owner = owner;
        this.gpus = gpus;
        this.readings = readings;
        this.tenants = tenants;
        this.clock = clock;
        this.recentSamples = recentSamples;
        this.dailyMinutes = dailyMinutes;
        this.keepStopped = keepStopped;
    }

    /** One pass; never throws, so the schedule keeps running through a driver or Docker outage. */
    public synchronized void sample() {
        long started = System.nanoTime();
        try {
            pass();
        } catch (RuntimeException e) {
            log.warn("telemetry pass failed: {}", e.toString());
        }
        lastPassNanos = System.nanoTime() - started;
    }

    private void pass() {
        Instant now = clock.instant();
        List<Gpu> inventory = gpus.inventory();
        NvidiaSmiTelemetry.Reading reading = inventory.isEmpty() ? NO_GPUS : smi.read();
        readings.record(now, reading.gpus());
        List<ContainerSummary> running = runningInstances();
        if (running == null) {
            return;
        }
        Map<String, GpuSample> byUuid = reading.gpus().stream().collect(Collectors.toMap(GpuSample::uuid, Function.identity(), (a, b) -> a));
        Map<String, String> models = inventory.stream().collect(Collectors.toMap(Gpu::uuid, Gpu::model, (a, b) -> a));
        Map<String, List<String>> held = new HashMap<>();
        gpus.allocations().forEach((uuid, holder) -> held.computeIfAbsent(holder, h -> new ArrayList<>()).add(uuid));
        Map<String, List<GpuProcess>> processes = processesByContainer(reading.processes(), running);
        Map<String, String> tenantOf = tenantsOrLast();

        List<InstanceFigures> pass = new ArrayList<>();
        Map<String, CpuMark> seen = new HashMap<>();
        for (ContainerSummary c : running) {
            String name = c.label(ManagedLabels.REPLICASET);
            CgroupReader.Usage usage = cgroups.usage(c.id());
            Double cpuPercent = cpuPercent(c.id(), usage.cpuNanos(), now, seen);
            List<InstanceFigures.GpuFigure> gpuFigures = held.getOrDefault(name, List.of()).stream().sorted()
                    .map(uuid -> figure(uuid, models.get(uuid), byUuid.get(uuid))).toList();
            List<InstanceFigures.ProcessFigure> procs = processes.getOrDefault(c.id(), List.of()).stream()
                    .map(p -> new InstanceFigures.ProcessFigure(p.pid(), p.gpuUuid(), p.usedMemoryMiB(), p.name())).toList();
            InstanceFigures figures = new InstanceFigures(name, tenantOf.get(name), version(c), now, cpuPercent, usage.memoryBytes(),
                    gpuFigures, procs);
            series.computeIfAbsent(name, n -> new InstanceSeries(recentSamples, dailyMinutes)).add(figures, point(figures));
            pass.add(figures);
        }
        cpuMarks.clear();
        cpuMarks.putAll(seen);
        // a stopped or deleted instance's series stays readable for as long as its minutes are kept
        series.entrySet().removeIf(e -> e.getValue().lastAt() != null && e.getValue().lastAt().plus(keepStopped).isBefore(now));
        lastPass = List.copyOf(pass);
    }

    private volatile Map<String, String> lastTenants = Map.of();

    /** Each replicaset's tenant; the last known while etcd does not answer (a tenant never changes). */
    private Map<String, String> tenantsOrLast() {
        try {
            lastTenants = tenants.get();
        } catch (RuntimeException e) {
            log.debug("telemetry: tenants from the last pass ({})", e.getMessage());
        }
        return lastTenants;
    }

    /** This service's running instance containers on this node; null when Docker does not answer. */
    private List<ContainerSummary> runningInstances() {
        try {
            List<ContainerSummary> running = engine.listByLabels(ManagedLabels.owner(owner)).stream()
                    .filter(c -> c.running() && c.label(ManagedLabels.REPLICASET) != null).toList();
            if (engineFailure != null) {
                log.info("telemetry: the Docker engine answers again");
                engineFailure = null;
            }
            return running;
        } catch (RuntimeException e) {
            if (engineFailure == null) {
                log.warn("telemetry: no instance figures while the Docker engine does not answer: {}", e.getMessage());
            }
            engineFailure = e.getMessage();
            return null;
        }
    }

    private Map<String, List<GpuProcess>> processesByContainer(List<GpuProcess> processes, List<ContainerSummary> running) {
        if (processes.isEmpty()) {
            return Map.of();
        }
        Map<String, String> ids = running.stream().collect(Collectors.toMap(ContainerSummary::id, ContainerSummary::id, (a, b) -> a));
        Map<String, List<GpuProcess>> out = new HashMap<>();
        for (GpuProcess p : processes) {
            Optional<String> container = cgroups.containerOf(p.pid()).filter(ids::containsKey);
            container.ifPresent(id -> out.computeIfAbsent(id, k -> new ArrayList<>()).add(p));
        }
        return out;
    }

    private Double cpuPercent(String id, Long nanos, Instant now, Map<String, CpuMark> seen) {
        if (nanos == null) {
            return null;
        }
        seen.put(id, new CpuMark(nanos, now));
        CpuMark before = cpuMarks.get(id);
        long wall = before == null ? 0 : Duration.between(before.at(), now).toNanos();
        if (wall <= 0 || nanos < before.nanos()) {
            return null;
        }
        return Math.round((nanos - before.nanos()) * 1000.0 / wall) / 10.0;
    }

    private static InstanceFigures.GpuFigure figure(String uuid, String model, GpuSample s) {
        if (s == null) {
            return new InstanceFigures.GpuFigure(uuid, model, null, null, null, null, null);
        }
        return new InstanceFigures.GpuFigure(uuid, model, s.utilizationPercent(), s.memoryUsedMiB(), s.memoryTotalMiB(), s.temperatureCelsius(), s.powerWatts());
    }

    static InstancePoint point(InstanceFigures f) {
        List<Integer> utils = f.gpus().stream().map(InstanceFigures.GpuFigure::utilizationPercent).filter(Objects::nonNull).toList();
        List<Long> mems = f.gpus().stream().map(InstanceFigures.GpuFigure::memoryUsedMiB).filter(Objects::nonNull).toList();
        return new InstancePoint(f.at(), f.cpuPercent(), f.memoryBytes(),
                utils.isEmpty() ? null : utils.stream().mapToInt(Integer::intValue).average().orElseThrow(),
                mems.isEmpty() ? null : mems.stream().mapToLong(Long::longValue).sum());
    }

    private static long version(ContainerSummary c) {
        try {
            return Long.parseLong(c.label(ManagedLabels.VERSION));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The series of instance {@code name} on this node, if it was sampled here. */
    Optional<InstanceSeries> series(String name) { return Optional.ofNullable(series.get(name)); }

    /** Every running instance's figures from the last pass. */
    public List<InstanceFigures> lastPass() { return lastPass; }

    /** How long the last pass took, in seconds. */
    double lastPassSeconds() { return lastPassNanos / 1e9; }
}
