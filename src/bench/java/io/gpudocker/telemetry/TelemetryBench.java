package io.gpudocker.telemetry;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuReadings;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.store.Json;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What telemetry costs (`make bench-telemetry`): the sampler of a node with 8 GPUs and 100 running instances, the
 * nvidia-smi stand-in answering from files (8 GPU lines, 100 GPU processes) and a cgroup tree of 100 containers.
 * This process's CPU time (its own and its reaped children's, the nvidia-smi calls, from /proc/self/stat) over a
 * stretch with no sampling and over one sampling every period; and the work of the metrics endpoint for one instance
 * with a full hour of points (its series read, its view built and written as JSON), 1,000 times, as percentiles.
 * Arguments: the work directory (with gpus.csv, gpu-telemetry.csv, gpu-apps.csv and cg/, proc/ as the script writes
 * them), the stretch in seconds, the period in seconds, clock ticks per second, and the file for the Markdown table.
 */
public final class TelemetryBench {
    private static final String OWNER = "/gda-bench";

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int stretch = Integer.parseInt(args[1]);
        int period = Integer.parseInt(args[2]);
        long ticks = Long.parseLong(args[3]);
        Path table = Path.of(args[4]);
        int instances = 100;

        GpuScheduler gpus = new GpuScheduler();
        List<Gpu> inventory = new ArrayList<>();
        Map<String, String> holders = new HashMap<>();
        List<String> csv = Files.readAllLines(work.resolve("gpus.csv"));
        for (String line : csv) {
            String[] f = line.split(", *");
            inventory.add(new Gpu(Integer.parseInt(f[0]), f[1], f[2], Long.parseLong(f[3]), null));
        }
        for (int i = 0; i < instances; i++) {
            if (i < inventory.size()) {
                holders.put(inventory.get(i).uuid(), "job" + i);
            }
        }
        gpus.load(inventory, holders);
        List<ContainerSummary> running = new ArrayList<>();
        Map<String, String> tenants = new HashMap<>();
        for (int i = 0; i < instances; i++) {
            running.add(new ContainerSummary(id(i), "job" + i + "-1", "running", true, false, ManagedLabels.replicaSetVersion(OWNER, "job" + i, 1)));
            tenants.put("job" + i, "tenant" + (i % 10));
        }
        ContainerEngine engine = (ContainerEngine) Proxy.newProxyInstance(TelemetryBench.class.getClassLoader(), new Class<?>[]{ContainerEngine.class},
                (proxy, method, a) -> switch (method.getName()) {
                    case "listByLabels" -> running;
                    case "toString" -> "bench engine";
                    default -> method.getReturnType() == int.class ? 0 : method.getReturnType() == boolean.class ? false : null;
                });
        Clock clock = Clock.systemUTC();
        TelemetrySampler sampler = new TelemetrySampler(new NvidiaSmiTelemetry("scripts/fake/nvidia-smi", Duration.ofSeconds(10)),
                new CgroupReader(work.resolve("cg"), work.resolve("proc")), engine, OWNER, gpus, new GpuReadings(), () -> tenants, clock,
                3600 / period, 1440, Duration.ofDays(1));

        // a few passes first (the JIT, and the CPU marks the rates are taken from)
        for (int k = 0; k < 3; k++) {
            sampler.sample();
        }
        int figures = sampler.lastPass().size();

        double off = cpuSeconds(ticks);
        Thread.sleep(stretch * 1000L);
        double offCost = cpuSeconds(ticks) - off;

        ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor();
        long passes0 = System.nanoTime();
        int[] passes = {0};
        double on = cpuSeconds(ticks);
        every.scheduleAtFixedRate(() -> { sampler.sample(); passes[0]++; }, 0, period, TimeUnit.SECONDS);
        Thread.sleep(stretch * 1000L);
        double onCost = cpuSeconds(ticks) - on;
        // a pass under way ends as it would in the service (cut, it would leave a partial last pass to read below)
        every.shutdown();
        every.awaitTermination(60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - passes0) / 1e9;

        // the metrics endpoint's own work for one instance with an hour of points (and a day of minutes): its series, the
        // view, the JSON; the series filled from the last pass's figures, one point per period back from now
        int points = 3600 / period;
        Map<String, InstanceSeries> full = new HashMap<>();
        Instant now = Instant.now();
        for (InstanceFigures f : sampler.lastPass()) {
            InstanceSeries s = new InstanceSeries(points, 1440);
            for (int k = 24 * 3600 / period; k >= 0; k--) {
                InstanceFigures at = new InstanceFigures(f.name(), f.tenant(), f.version(), now.minusSeconds((long) k * period), f.cpuPercent(),
                        f.memoryBytes(), f.gpus(), f.processes());
                s.add(at, TelemetrySampler.point(at));
            }
            full.put(f.name(), s);
        }
        int calls = 1000;
        int warmUp = 200;
        long[] nanos = new long[calls];
        long bytes = 0;
        for (int i = -warmUp; i < calls; i++) {
            String name = "job" + Math.floorMod(i, instances);
            long t0 = System.nanoTime();
            InstanceSeries s = full.get(name);
            MetricsView v = new MetricsView(name, "bench", period, null, s.latest(), s.recent(null), s.minutes(null), null);
            bytes = Json.write(v).length();
            if (i >= 0) {
                // the first calls, untimed, run while the JIT compiles the view and the JSON writer, as a started service's first callers do
                nanos[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(nanos);

        double sharePercent = (onCost - offCost) / seconds * 100;
        String result = String.join("\n",
                "| figure | value | goal |",
                "|---|---|---|",
                String.format("| instances sampled per pass | %d (8 GPUs, 100 GPU processes) | 100 |", figures),
                String.format("| process CPU over %d s, no sampling | %.2f s | |", stretch, offCost),
                String.format("| process CPU over %d s, a pass every %d s (%d passes) | %.2f s | |", stretch, period, passes[0], onCost),
                String.format("| sampling's share of one core | **%.2f %%** | ≤ 2 %% |", sharePercent),
                String.format("| last pass | %.1f ms | |", sampler.lastPassSeconds() * 1000),
                String.format("| metrics of one instance, 1 h of points (%d B of JSON): p50 / p99 / max | %.2f / **%.2f** / %.2f ms | p99 ≤ 50 ms |",
                        bytes, nanos[calls / 2] / 1e6, nanos[calls * 99 / 100] / 1e6, nanos[calls - 1] / 1e6),
                "");
        Files.writeString(table, result);
        System.out.println(result);
    }

    /** This process's CPU time and that of its reaped children (the nvidia-smi calls), in seconds. */
    private static double cpuSeconds(long ticks) throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the name: state is field 3, so utime (14) .. cstime (17) are at 11..14 here
        long t = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return (double) t / ticks;
    }

    static String id(int i) {
        return String.format("%064x", i + 1);
    }
}
