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
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/replicaSet")
@Tag(name = "telemetry", description = "GPU utilization, memory, temperature and power, and CPU and memory, per instance over time")
class TelemetryController {
    private final TelemetryQueries queries;

    TelemetryController(TelemetryQueries queries) {
        this.queries = queries;
    }

    @GetMapping("/{name}/metrics")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "An instance's figures as the node running it samples them: the last sample in full (each GPU, each GPU process), "
            + "samples at the period for the last hour and one-minute averages for the last day")
    ApiResponse<MetricsView> metrics(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name,
            @Parameter(description = "only points from here: an ISO-8601 instant, or a duration back from now (30s, 15m, 2h); default every point kept",
                    example = "15m") @RequestParam(required = false) String since,
            @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(queries.metrics(name, caller, since));
    }
}
