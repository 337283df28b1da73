package io.gpudocker.resource;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.common.ByteSizes;
import io.gpudocker.resource.cpu.CpuList;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.cpu.CpuTopology;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.resource.gpu.GpuReadings;
import io.gpudocker.resource.gpu.GpuSample;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortRange;
import io.gpudocker.resource.port.PortScheduler;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/resources")
@Tag(name = "resources", description = "GPUs, CPU cores, memory and host ports, and who holds them")
class ResourceController {
    private final GpuScheduler gpus;
    private final PortScheduler ports;
    private final HolderVisibility visibility;
    private final CpuScheduler cpus;
    private final MemoryPool memory;
    private final GpuReadings readings;

    ResourceController(GpuScheduler gpus, PortScheduler ports, HolderVisibility visibility, CpuScheduler cpus, MemoryPool memory, GpuReadings readings) {
        this.readings = readings;
        this.gpus = gpus;
        this.ports = ports;
        this.visibility = visibility;
        this.cpus = cpus;
        this.memory = memory;
    }

    @GetMapping("/gpus")
    @RunsOn(Where.EVERY_NODE)
    @Operation(summary = "Every GPU: UUID to 0/1 (gpus, as the original), and index, UUID, model, memory, whether it is held, and by which of your replicasets (inventory; the admin sees every holder), and its latest utilization, memory use, temperature and power (telemetry)")
    ApiResponse<ResourceViews.Gpus> gpus(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        Map<String, String> holders = gpus.allocations();
        Predicate<String> visible = visibility.visibleTo(caller);
        List<ResourceViews.GpuView> views = new ArrayList<>();
        // held or free reveals no name, so every caller sees every GPU's state, as in the original's map
        Map<String, Integer> used = new LinkedHashMap<>();
        GpuReadings.Latest latest = readings.latest();
        for (Gpu g : gpus.inventory()) {
            String holder = holders.remove(g.uuid());
            views.add(new ResourceViews.GpuView(g.index(), g.uuid(), g.model(), g.memoryMiB(), shown(holder, visible), holder != null, true,
                    telemetry(latest, g.uuid())));
            used.put(g.uuid(), holder == null ? 0 : 1);
        }
        holders.forEach((uuid, holder) -> views.add(new ResourceViews.GpuView(null, uuid, null, null, shown(holder, visible), true, false, null)));
        return ApiResponse.ok(new ResourceViews.Gpus(gpus.total(), gpus.free().size(), used, views));
    }

    @GetMapping("/ports")
    @RunsOn(Where.EVERY_NODE)
    @Operation(summary = "The host port range, how many are free, and the ports your replicasets hold (the admin sees all)")
    ApiResponse<ResourceViews.Ports> ports(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        Predicate<String> visible = visibility.visibleTo(caller);
        List<ResourceViews.PortView> used = ports.allocations().entrySet().stream()
                .filter(e -> visible.test(e.getValue()))
                .map(e -> new ResourceViews.PortView(e.getKey(), e.getValue())).toList();
        Map<String, Map<String, Object>> usedSet = new LinkedHashMap<>();
        used.forEach(p -> usedSet.put(Integer.toString(p.port()), Map.of()));
        PortRange range = ports.range();
        int free = ports.freeCount();
        return ApiResponse.ok(new ResourceViews.Ports(range.toString(), range.size(), free, used,
                new ResourceViews.OriginalPorts(range.first(), range.last(), free, usedSet)));
    }

    @GetMapping("/cpus")
    @RunsOn(Where.EVERY_NODE)
    @Operation(summary = "CPU cores: total and free, core to 0/1 (cpus, as the fork), each NUMA node's cores, free count and GPUs, and each core's holder (yours; the admin sees all)")
    ApiResponse<ResourceViews.Cpus> cpus(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        Predicate<String> visible = visibility.visibleTo(caller);
        CpuTopology topology = cpus.topology();
        Map<Integer, String> holders = cpus.allocations();
        Map<String, Integer> used = new LinkedHashMap<>();
        List<ResourceViews.CoreView> cores = new ArrayList<>();
        for (Integer core : topology.cores()) {
            String holder = holders.remove(core);
            used.put(Integer.toString(core), holder == null ? 0 : 1);
            cores.add(new ResourceViews.CoreView(core, node(topology.nodeOf(core)), holder != null, shown(holder, visible), true));
        }
        holders.forEach((core, holder) -> cores.add(new ResourceViews.CoreView(core, null, true, shown(holder, visible), false)));
        Map<Integer, List<Integer>> free = cpus.freeByNode();
        List<ResourceViews.NodeView> nodes = new ArrayList<>();
        topology.nodesInOrder().forEach((node, nodeCores) -> nodes.add(new ResourceViews.NodeView(node(node), CpuList.format(nodeCores), nodeCores.size(),
                free.getOrDefault(node, List.of()).size(), gpus.inventory().stream()
                        .filter(g -> topology.nodeOfGpu(g.busId()).map(node::equals).orElse(false)).map(Gpu::uuid).toList())));
        return ApiResponse.ok(new ResourceViews.Cpus(topology.cores().size(), cpus.free().size(), used, nodes, cores));
    }

    @GetMapping("/memory")
    @RunsOn(Where.EVERY_NODE)
    @Operation(summary = "The memory pool instance limits are taken from: total, free, and the shares your replicasets hold (the admin sees all)")
    ApiResponse<ResourceViews.Memory> memory(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        Predicate<String> visible = visibility.visibleTo(caller);
        List<ResourceViews.MemoryHolderView> held = memory.allocations().entrySet().stream().filter(e -> visible.test(e.getKey()))
                .map(e -> new ResourceViews.MemoryHolderView(e.getKey(), e.getValue(), ByteSizes.format(e.getValue()))).toList();
        long free = memory.free();
        return ApiResponse.ok(new ResourceViews.Memory(memory.total(), free, ByteSizes.format(memory.total()), ByteSizes.format(free), held));
    }

    private static ResourceViews.GpuTelemetryView telemetry(GpuReadings.Latest latest, String uuid) {
        GpuSample s = latest.byUuid().get(uuid);
        return s == null ? null : new ResourceViews.GpuTelemetryView(latest.at(), s.utilizationPercent(), s.memoryUsedMiB(), s.memoryTotalMiB(),
                s.temperatureCelsius(), s.powerWatts());
    }

    private static Integer node(int node) {
        return node == CpuTopology.UNKNOWN_NODE ? null : node;
    }

    private static String shown(String holder, Predicate<String> visible) {
        return holder != null && visible.test(holder) ? holder : null;
    }
}
