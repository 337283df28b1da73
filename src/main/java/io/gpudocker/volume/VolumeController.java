package io.gpudocker.volume;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.api.validation.VolumeName;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.List;
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
@RequestMapping("/api/v1/volumes")
@Tag(name = "volumes", description = "Data disks: versioned Docker volumes with a size")
class VolumeController {
    private final VolumeLifecycle lifecycle;
    private final VolumeResize resizes;
    private final VolumeQueries queries;

    VolumeController(VolumeLifecycle lifecycle, VolumeResize resizes, VolumeQueries queries) {
        this.lifecycle = lifecycle;
        this.resizes = resizes;
        this.queries = queries;
    }

    @PostMapping
    @RunsOn(Where.VOLUME_NODE_IN_BODY)
    @Operation(summary = "Create version 1 of a volume (Docker volume name-1); size optional, units KB MB GB TB")
    ApiResponse<VolumeViews.Created> create(@Valid @RequestBody VolumeRequests.Create body, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(lifecycle.create(body, caller));
    }

    @GetMapping
    @RunsOn(Where.HERE)
    @Operation(summary = "List every volume")
    ApiResponse<List<VolumeViews.Summary>> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(queries.list(caller));
    }

    @GetMapping("/{name}")
    @RunsOn(Where.VOLUME_OWNER)
    @Operation(summary = "The current version of a volume")
    ApiResponse<VolumeViews.Detail> get(@PathVariable @VolumeName String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(queries.get(name, caller));
    }

    @GetMapping("/{name}/history")
    @RunsOn(Where.HERE)
    @Operation(summary = "Every version ever made, newest first")
    ApiResponse<VolumeViews.History> history(@PathVariable @VolumeName String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(queries.history(name, caller));
    }

    @PatchMapping("/{name}/size")
    @RunsOn(Where.VOLUME_OWNER)
    @Operation(summary = "New version with the new size and a copy of the data; running containers that mount it are paused for the copy and resumed after")
    ApiResponse<VolumeViews.Resized> resize(@PathVariable @VolumeName String name, @Valid @RequestBody(required = false) VolumeRequests.Resize body,
                                                   @Parameter(description = "copy beside the running containers without pausing them (what they write meanwhile may be missed)")
                                                   @RequestParam(defaultValue = "false") boolean force, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(resizes.resize(name, body, force, caller));
    }

    @DeleteMapping("/{name}")
    @RunsOn(Where.VOLUME_OWNER)
    @Operation(summary = "Remove every version and forget the records; refused while any container mounts one")
    ApiResponse<Void> delete(@PathVariable @VolumeName String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        lifecycle.delete(name, caller);
        return ApiResponse.ok(null);
    }
}
