package io.gpudocker.resource;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.port.PortScheduler;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/resources")
@Tag(name = "resources", description = "GPUs and host ports, and who holds them")
class ResourceController {
    private final GpuScheduler gpus;
    private final PortScheduler ports;
    private final HolderVisibility visibility;

    ResourceController(GpuScheduler gpus, PortScheduler ports, HolderVisibility visibility) {
        this.gpus = gpus;
        this.ports = ports;
        this.visibility = visibility;
    }

    @GetMapping("/gpus")
    @Operation(summary = "Every GPU: index, UUID, model, memory, whether it is held, and by which of your replicasets (the admin sees every holder)")
    ApiResponse<ResourceViews.Gpus> gpus(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        Map<String, String> holders = gpus.allocations();
        Predicate<String> visible = visibility.visibleTo(caller);
        List<ResourceViews.GpuView> views = new ArrayList<>();
        for (Gpu g : gpus.inventory()) {
            String holder = holders.remove(g.uuid());
            views.add(new ResourceViews.GpuView(g.index(), g.uuid(), g.model(), g.memoryMiB(), shown(holder, visible), holder != null, true));
        }
        holders.forEach((uuid, holder) -> views.add(new ResourceViews.GpuView(null, uuid, null, null, shown(holder, visible), true, false)));
        return ApiResponse.ok(new ResourceViews.Gpus(gpus.total(), gpus.free().size(), views));
    }

    @GetMapping("/ports")
    @Operation(summary = "The host port range, how many are free, and the ports your replicasets hold (the admin sees all)")
    ApiResponse<ResourceViews.Ports> ports(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        Predicate<String> visible = visibility.visibleTo(caller);
        List<ResourceViews.PortView> used = ports.allocations().entrySet().stream()
                .filter(e -> visible.test(e.getValue()))
                .map(e -> new ResourceViews.PortView(e.getKey(), e.getValue())).toList();
        return ApiResponse.ok(new ResourceViews.Ports(ports.range().toString(), ports.range().size(), ports.freeCount(), used));
    }

    private static String shown(String holder, Predicate<String> visible) {
        return holder != null && visible.test(holder) ? holder : null;
    }
}
