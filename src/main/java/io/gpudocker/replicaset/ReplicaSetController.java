package io.gpudocker.replicaset;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.api.validation.ReplicaSetName;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/replicaSet")
@Tag(name = "replicaSet", description = "Container instances: create, update to new versions, roll back, stop, delete")
class ReplicaSetController {
    private final ReplicaSetCreation creation;
    private final UpdatePlans updates;
    private final ReplicaSetLifecycle power;
    private final ContainerActions actions;
    private final ReplicaSetQueries queries;

    ReplicaSetController(ReplicaSetCreation creation, UpdatePlans updates, ReplicaSetLifecycle power, ContainerActions actions, ReplicaSetQueries queries) {
        this.creation = creation;
        this.updates = updates;
        this.power = power;
        this.actions = actions;
        this.queries = queries;
    }

    @PostMapping
    @RunsOn(Where.PLACED_REPLICASET)
    @Operation(summary = "Create a replicaset and start version 1")
    ApiResponse<ReplicaSetViews.Created> create(@Valid @RequestBody ReplicaSetRequests.Create body, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(creation.create(body, caller));
    }

    @GetMapping
    @RunsOn(Where.HERE)
    @Operation(summary = "List every replicaset")
    ResponseEntity<ApiResponse<List<ReplicaSetViews.Summary>>> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        ReplicaSetQueries.Listing listing = queries.listing(caller);
        ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
        if (listing.etag() != null) {
            ok.eTag(listing.etag()); // a GET whose If-None-Match names it is answered 304 by Spring
        }
        return ok.body(ApiResponse.ok(listing.items()));
    }

    @GetMapping("/{name}")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "The current version of a replicaset")
    ApiResponse<ReplicaSetViews.Detail> get(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(queries.get(name, caller));
    }

    @GetMapping("/{name}/history")
    @RunsOn(Where.HERE)
    @Operation(summary = "Every version ever made, newest first")
    ApiResponse<ReplicaSetViews.History> history(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(queries.history(name, caller));
    }

    @PatchMapping("/{name}")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "Update to a new version: change the GPU count, rebind a volume, or {} to recreate")
    ApiResponse<ReplicaSetViews.ContainerNameView> patch(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Valid @RequestBody(required = false) ReplicaSetRequests.Patch body, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(updates.patch(name, body, caller));
    }

    @PatchMapping("/{name}/rollback")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "New version with the spec and root filesystem of an earlier version",
            description = "Where that version's container is on another node (the instance moved since), the new version is made there and the instance "
                    + "moves with it, its volumes carried as a move carries them; that node's refusals (1013, 1014) take nothing.")
    ApiResponse<ReplicaSetViews.ContainerNameView> rollback(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Valid @RequestBody ReplicaSetRequests.Rollback body, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(updates.rollback(name, body, caller));
    }

    @PatchMapping("/{name}/stop")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "Stop, releasing its GPUs and ports")
    ApiResponse<Void> stop(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        power.stop(name, caller);
        return ApiResponse.ok(null);
    }

    @PatchMapping("/{name}/restart")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "Re-acquire GPUs (same count) and ports; new version with the filesystem carried over")
    ApiResponse<ReplicaSetViews.ContainerNameView> restart(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(updates.restart(name, caller));
    }

    @PatchMapping("/{name}/pause")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "Stop the container but keep its GPUs and ports reserved")
    ApiResponse<Void> pause(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        power.pause(name, caller);
        return ApiResponse.ok(null);
    }

    @PatchMapping("/{name}/continue")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "Start the paused container again")
    ApiResponse<Void> resume(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        power.resume(name, caller);
        return ApiResponse.ok(null);
    }

    @PostMapping("/{name}/execute")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "Run a command in the running container; returns its output (stdout and stderr) and exit code")
    ApiResponse<ReplicaSetViews.ExecuteResult> execute(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Valid @RequestBody ReplicaSetRequests.Execute body, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(actions.execute(name, body, caller));
    }

    @PostMapping("/{name}/commit")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "Save the current container's system disk (not its volumes) as an image")
    ApiResponse<ReplicaSetViews.CommitResult> commit(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Valid @RequestBody ReplicaSetRequests.Commit body, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(actions.commit(name, body, caller));
    }

    @GetMapping(value = "/{name}/logs", produces = MediaType.TEXT_PLAIN_VALUE)
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "The container's stdout and stderr as text; follow=true streams until the client leaves",
            description = "A followed log also ends after gda.logs.follow-idle-timeout (default 10m) without output. A tenant may follow at most "
                    + "gda.logs.max-follows-per-tenant logs at once (default 4), the service gda.logs.max-follows (default 64); beyond: 429, code 1065.",
            responses = @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200", description = "the log lines, streamed",
                    content = @Content(mediaType = MediaType.TEXT_PLAIN_VALUE, schema = @Schema(type = "string", example = "tick-0\nerr-0\ntick-1\n"))))
    void logs(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name,
                                                      @Parameter(description = "lines from the end; -1 for all") @RequestParam(defaultValue = "100") int tail,
                                                      @RequestParam(defaultValue = "false") boolean follow,
                                                      @Parameter(description = "version whose container to read; default the current one") @RequestParam(required = false) Long version,
                                                      HttpServletResponse response, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) throws IOException {
        String container = queries.logsContainer(name, version, caller);
        actions.streamLogs(container, tail, follow, caller, () -> {
            response.setContentType(MediaType.TEXT_PLAIN_VALUE + ";charset=UTF-8");
            // written on this request's own thread and flushed chunk by chunk, so a followed log arrives line by line
            response.flushBuffer();
            return response.getOutputStream();
        });
    }

    @DeleteMapping("/{name}")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "Remove every version's container, release everything, forget the records")
    ApiResponse<Void> delete(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        power.delete(name, caller);
        return ApiResponse.ok(null);
    }
}
