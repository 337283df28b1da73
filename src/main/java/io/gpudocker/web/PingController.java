package io.gpudocker.web;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "ping")
class PingController {

    @GetMapping({"/ping", "/api/v1/ping"})
    @RunsOn(Where.HERE)
    @Operation(summary = "Liveness: answers pong while the process serves HTTP")
    public ApiResponse<String> ping() {
        return ApiResponse.ok("pong");
    }
}
