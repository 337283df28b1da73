package io.gpudocker.resource;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/resources")
@Tag(name = "resources", description = "GPUs and host ports, and who holds them")
class ResourceController {
    private final GpuScheduler gpus;
    private final PortScheduler ports;

    public ResourceController(GpuScheduler gpus, PortScheduler ports) {
        this.gpus = gpus;
        this.ports = ports;
    }

    @GetMapping("/gpus")
    @Operation(summary = "Every GPU: index, UUID, model, memory, and the replicaset holding it")
    public ApiResponse<ResourceViews.Gpus> gpus() {
        Map<String, String> holders = gpus.allocations();
        List<ResourceViews.GpuView> views = new ArrayList<>();
        for (Gpu g : gpus.inventory()) {
            views.add(new ResourceViews.GpuView(g.index(), g.uuid(), g.model(), g.memoryMiB(), holders.remove(g.uuid()), true));
        }
        holders.forEach((uuid, holder) -> views.add(new ResourceViews.GpuView(null, uuid, null, null, holder, false)));
        return ApiResponse.ok(new ResourceViews.Gpus(gpus.total(), gpus.free().size(), views));
    }

    @GetMapping("/ports")
    @Operation(summary = "The host port range, how many are free, and which are used by whom")
    public ApiResponse<ResourceViews.Ports> ports() {
        List<ResourceViews.PortView> used = ports.allocations().entrySet().stream()
                .map(e -> new ResourceViews.PortView(e.getKey(), e.getValue())).toList();
        return ApiResponse.ok(new ResourceViews.Ports(ports.range().toString(), ports.range().size(), ports.freeCount(), used));
    }
}
