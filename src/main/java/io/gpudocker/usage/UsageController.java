package io.gpudocker.usage;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/usage")
@Tag(name = "usage", description = "Metered usage: GPU-, core-, memory- and instance-seconds, volume GiB-hours")
class UsageController {
    static final MediaType CSV = MediaType.parseMediaType("text/csv");

    private final UsageQueries queries;

    UsageController(UsageQueries queries) {
        this.queries = queries;
    }

    @GetMapping
    @RunsOn(Where.HERE)
    @Operation(summary = "Usage of the caller's tenant (the admin: any tenant's, or every tenant's) over UTC days, by instance or by day; "
            + "JSON, or CSV with Accept: text/csv")
    @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200", description = "the usage, in the envelope; or CSV", content = {
            @Content(mediaType = "application/json", schema = @Schema(implementation = UsageEnvelope.class)),
            @Content(mediaType = "text/csv", schema = @Schema(type = "string", example = UsageCsv.HEADER + "\nalice,,replicaset,train,gpu_seconds,NVIDIA H200,7200.000"))})
    ResponseEntity<?> usage(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @Parameter(description = "whose usage; a tenant may name only itself; the admin: default every tenant", example = "alice")
            @RequestParam(required = false) String tenant,
            @Parameter(description = "first UTC day, included; default the first of this month", example = "2026-01-01")
            @RequestParam(required = false) String from,
            @Parameter(description = "last UTC day, included; default today", example = "2026-01-31")
            @RequestParam(required = false) String to,
            @Parameter(description = "instance (default) or day", example = "day")
            @RequestParam(required = false) String by,
            @Parameter(hidden = true) @RequestHeader(value = "Accept", required = false) String accept) {
        UsageReport report = queries.report(caller, tenant, from, to, by);
        if (wantsCsv(accept)) {
            return ResponseEntity.ok().contentType(CSV).body(UsageCsv.write(report));
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(ApiResponse.ok(report));
    }

    /** The JSON answer's shape, for the API description. */
    @Schema(name = "UsageResponse")
    record UsageEnvelope(int code, String msg, UsageReport data) {}

    /** CSV when the caller asks for it before JSON; JSON otherwise (no Accept, any type, or JSON first). */
    static boolean wantsCsv(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        for (MediaType t : MediaType.parseMediaTypes(accept)) {
            if (t.isCompatibleWith(CSV) && !t.isWildcardType()) {
                return true;
            }
            if (t.isCompatibleWith(MediaType.APPLICATION_JSON) && !t.isWildcardType()) {
                return false;
            }
        }
        return false;
    }
}
