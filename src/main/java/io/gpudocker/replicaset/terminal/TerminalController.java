package io.gpudocker.replicaset.terminal;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.gpudocker.api.validation.ReplicaSetName;
import io.gpudocker.replicaset.ReplicaSetViews;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The ticket half of the terminal, on the replicaset's path: here rather than in the replicaset controller so
 * that the replicaset package never needs the terminal. The tag is the replicaset controller's, word for word,
 * so the API document lists it with the others.
 */
@RestController
@RequestMapping("/api/v1/replicaSet")
@Tag(name = "replicaSet", description = "Container instances: create, update to new versions, roll back, stop, delete")
class TerminalController {
    private final TerminalTickets terminals;

    TerminalController(TerminalTickets terminals) {
        this.terminals = terminals;
    }

    @PostMapping("/{name}/terminal")
    @RunsOn(Where.REPLICASET_OWNER)
    @Operation(summary = "A single-use ticket (valid 30 s) for an interactive shell in the running container over the WebSocket /ws/terminal")
    ApiResponse<ReplicaSetViews.TerminalTicket> terminal(@Parameter(description = "replicaset name", example = "foo") @PathVariable @ReplicaSetName String name, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return ApiResponse.ok(terminals.issue(name, caller));
    }
}
