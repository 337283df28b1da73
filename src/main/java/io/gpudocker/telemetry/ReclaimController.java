package io.gpudocker.telemetry;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.api.validation.ReplicaSetName;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/replicaSet")
@Tag(name = "reclaim", description = "An instance's own idle-reclaim policy, overriding the operator's default")
class ReclaimController {
    private final ReclaimPolicies policies;

    ReclaimController(ReclaimPolicies policies) {
        this.policies = policies;
    }

    @PutMapping("/{name}/reclaim")
    @RunsOn(Where.HERE)
    @Operation(summary = "Sets the instance's own idle-reclaim policy (fields left out are the operator's default's; off: never reclaimed); "
            + "kept in etcd, applied by the node running it from its next telemetry pass. 400 (code 1115) for a policy that cannot be")
    ApiResponse<ReclaimPolicy> putReclaim(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name,
            @RequestBody ReclaimRequest body, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(policies.put(name, body, caller));
    }

    @GetMapping("/{name}/reclaim")
    @RunsOn(Where.HERE)
    @Operation(summary = "The idle-reclaim policy the instance is under: its own (source instance) or the operator's default (source default)")
    ApiResponse<ReclaimPolicy> getReclaim(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name,
            @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(policies.get(name, caller));
    }

    @DeleteMapping("/{name}/reclaim")
    @RunsOn(Where.HERE)
    @Operation(summary = "Removes the instance's own policy; answers the operator's default, which applies again")
    ApiResponse<ReclaimPolicy> deleteReclaim(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name,
            @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(policies.delete(name, caller));
    }
}
