package io.gpudocker.move;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.api.validation.ReplicaSetName;
import io.gpudocker.node.DrainStatus;
import io.gpudocker.node.InterNodeCredential;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.io.IOException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "replicaSet", description = "Container instances: create, update to new versions, roll back, stop, delete")
class MoveController {
    private final MoveOut out;
    private final MoveIn in;
    private final Drainer drains;

    MoveController(MoveOut out, MoveIn in, Drainer drains) {
        this.out = out;
        this.in = in;
        this.drains = drains;
    }

    @PostMapping("/api/v1/nodes/{name}/drain")
    @RunsOn(Where.HERE)
    @Tag(name = "nodes")
    @Operation(summary = "Drain a node: cordon it and move every instance off it, oldest first, to the nodes that fit; admin only",
            description = "Answers at once with the plan; GET /nodes shows each instance moved or why it stays (drain). A drain already running: 409 (1136).")
    ApiResponse<DrainStatus> drain(@Parameter(example = "gpu1") @PathVariable String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(drains.drain(name, caller));
    }

    @PostMapping("/api/v1/replicaSet/{name}/move")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "Move the instance to another node: version N+1 there with the system disk and volumes carried over; N stays here, stopped",
            description = "The progress (bytes done and total) shows in GET /replicaSet/{name} while it runs. Unknown node: 404 (1131); the same node: "
                    + "400 (1130); the target lacks GPUs: 409 (1013), nothing taken. Host ports are kept where free on the target, else new ones (portsChanged). "
                    + "A running instance is copied once while it runs, then stopped for a copy of what changed since (downtimeMillis); a stopped one moves "
                    + "stopped, holding nothing; a paused or exited one is refused (409, 1132).")
    ApiResponse<MoveOut.Moved> move(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name,
                                    @Valid @RequestBody MoveRequests.Move body, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(out.move(name, body, caller));
    }

    @Hidden
    @PostMapping("/api/v1/internal/moves/{name}/prepare")
    @RunsOn(Where.HERE)
    ApiResponse<MoveRequests.Prepared> prepare(@PathVariable String name, @RequestBody MoveRequests.Prepare body, HttpServletRequest request,
                                               @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(in.prepare(sender(request), name, body, caller));
    }

    @Hidden
    @PostMapping("/api/v1/internal/moves/{name}/receive")
    @RunsOn(Where.HERE)
    ApiResponse<MoveRequests.Received> receive(@PathVariable String name, @RequestBody MoveRequests.Receive body, HttpServletRequest request) {
        return ApiResponse.ok(in.receive(sender(request), name, body.moveId(), body.last()));
    }

    @Hidden
    @PostMapping("/api/v1/internal/moves/{name}/start")
    @RunsOn(Where.HERE)
    ApiResponse<Void> start(@PathVariable String name, @RequestBody MoveRequests.Step body, HttpServletRequest request) {
        in.start(sender(request), name, body.moveId());
        return ApiResponse.ok(null);
    }

    @Hidden
    @PostMapping("/api/v1/internal/moves/{name}/settle")
    @RunsOn(Where.HERE)
    ApiResponse<Void> settle(@PathVariable String name, @RequestBody MoveRequests.Step body, HttpServletRequest request) {
        in.settle(sender(request), name, body.moveId());
        return ApiResponse.ok(null);
    }

    @Hidden
    @PostMapping("/api/v1/internal/moves/{name}/abort")
    @RunsOn(Where.HERE)
    ApiResponse<Void> abort(@PathVariable String name, @RequestBody MoveRequests.Step body, HttpServletRequest request) {
        in.abort(sender(request), name, body.moveId());
        return ApiResponse.ok(null);
    }

    @Hidden
    @GetMapping("/api/v1/internal/moves/{name}/export")
    @RunsOn(Where.HERE)
    void export(@PathVariable String name, @RequestParam String move, @RequestParam String part, @RequestParam(required = false) String volume,
                @RequestParam(defaultValue = "final") String pass, HttpServletRequest request, HttpServletResponse response) throws IOException {
        String sender = sender(request);
        response.setContentType("application/x-tar");
        out.export(sender, name, move, part, volume, pass, response.getOutputStream());
    }

    @Hidden
    @PostMapping("/api/v1/internal/moves/{name}/containers")
    @RunsOn(Where.HERE)
    ApiResponse<MoveRequests.Containers> containers(@PathVariable String name, HttpServletRequest request, @AuthenticationPrincipal Caller caller) {
        sender(request);
        return ApiResponse.ok(new MoveRequests.Containers(in.containersOf(name, caller)));
    }

    /** The node that signed the call; only another node of the cluster may call these. */
    private static String sender(HttpServletRequest request) {
        Object by = request.getAttribute(InterNodeCredential.FORWARDED_BY);
        if (by == null) {
            throw ApiException.of(ErrorCode.MOVE_NODES_ONLY, "only another node of this cluster may call %s (a call signed with the cluster secret)",
                    request.getRequestURI());
        }
        return by.toString();
    }
}
