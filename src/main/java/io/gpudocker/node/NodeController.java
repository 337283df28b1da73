package io.gpudocker.node;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/nodes")
@Tag(name = "nodes", description = "The GPU hosts sharing this etcd: which are up, what they have free; cordon and remove (admin)")
class NodeController {
    private final NodeQueries queries;

    NodeController(NodeQueries queries) {
        this.queries = queries;
    }

    @Schema(name = "NodeCordonRequest", description = "A cordoned node takes no new instances; its own keep running and answering")
    record Cordon(@NotNull @Schema(example = "true") Boolean cordoned) {}

    @GetMapping
    @RunsOn(Where.HERE)
    @Operation(summary = "Every node: up (heartbeat current) or down, its address, GPUs/cores/memory/ports total and free, and how many instances and volumes it holds")
    ApiResponse<List<NodeView>> list() {
        return ApiResponse.ok(queries.list());
    }

    @PatchMapping("/{name}")
    @RunsOn(Where.HERE)
    @Operation(summary = "Cordon (placement sends it no new instances; a create naming it still may) or uncordon a node; admin only")
    ApiResponse<NodeView> cordon(@Parameter(example = "gpu1") @PathVariable String name, @Valid @RequestBody Cordon body) {
        return ApiResponse.ok(queries.cordon(name, body.cordoned()));
    }

    @DeleteMapping("/{name}")
    @RunsOn(Where.HERE)
    @Operation(summary = "Forget a node that is down and holds no instance or volume; admin only")
    ApiResponse<Void> remove(@Parameter(example = "gpu1") @PathVariable String name) {
        queries.remove(name);
        return ApiResponse.ok(null);
    }
}
