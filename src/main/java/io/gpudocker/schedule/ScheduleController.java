package io.gpudocker.schedule;

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
@Tag(name = "schedule", description = "Stop an instance, or drop it to cardless, at a time or after a duration")
class ScheduleController {
    private final Schedules schedules;

    ScheduleController(Schedules schedules) {
        this.schedules = schedules;
    }

    @PutMapping("/{name}/schedule")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "Sets the instance's schedule, replacing any: stop, or cardless (a new version with 0 GPUs), at an instant or after a "
            + "duration; kept in etcd and run by the node holding the instance with the setter's rights, also after a restart")
    ApiResponse<Schedule> putSchedule(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name,
            @RequestBody ScheduleRequest body, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(schedules.put(name, body, caller));
    }

    @GetMapping("/{name}/schedule")
    @RunsOn(Where.HERE)
    @Operation(summary = "The instance's schedule; 404 (code 1113) when it has none")
    ApiResponse<Schedule> getSchedule(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name,
            @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(schedules.get(name, caller));
    }

    @DeleteMapping("/{name}/schedule")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "Removes the instance's schedule; 404 (code 1113) when it has none")
    ApiResponse<Void> deleteSchedule(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name,
            @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        schedules.delete(name, caller);
        return ApiResponse.ok(null);
    }
}
