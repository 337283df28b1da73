package io.gpudocker.quota;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Instant;
import java.util.List;

/** Quota request and response bodies. */
public final class QuotaViews {
    private QuotaViews() {}

    @Schema(name = "QuotaUpdate", description = "A tenant's quota, each the most it may hold at once; a field left out: no limit")
    public record Update(
            @PositiveOrZero @Schema(description = "GPUs held", example = "4") Long gpus,
            @PositiveOrZero @Schema(description = "instances holding resources (running, paused or exited; stopped ones hold none)", example = "4") Long instances,
            @PositiveOrZero @Schema(description = "volumes", example = "8") Long volumes,
            @Schema(description = "total declared size of its volumes (KB, MB, GB, TB)", example = "500GB") String volumeSize,
            @PositiveOrZero @Schema(description = "exclusive CPU cores held", example = "32") Long cores,
            @Schema(description = "memory held (KB, MB, GB, TB)", example = "256GB") String memory,
            @PositiveOrZero @Schema(description = "execute calls running at once, on every node together", example = "4") Long executes,
            @PositiveOrZero @Schema(description = "terminals open at once, on every node together", example = "4") Long terminals,
            @PositiveOrZero @Schema(description = "committed images, on every node's Docker engine together", example = "10") Long images) {}

    @Schema(name = "QuotaLine", description = "One resource: its limit (null: none) and what the tenant holds of it")
    public record Line(
            @Schema(example = "gpus") String resource,
            @Schema(example = "4") Long limit,
            @Schema(description = "null: not known now (etcd did not answer)", example = "3") Long used,
            @Schema(description = "the limit as people read it (a size for bytes); null: none", example = "4") String limitText,
            @Schema(example = "3") String usedText,
            @Schema(description = "where the use is counted: cluster (etcd, every node together)", example = "cluster") String scope) {}

    @Schema(name = "TenantQuota")
    public record View(
            @Schema(example = "alice") String tenant,
            @Schema(description = "true: the defaults (gda.quota.*); false: its own, set by the admin", example = "false") boolean defaults,
            List<Line> resources) {}

    @Schema(name = "TenantSummary", description = "A tenant: its token's creation time and its use against its quota")
    public record Tenant(@Schema(example = "alice") String name, @Schema(example = "2025-01-01T08:00:00Z") Instant createTime, View quota) {}
}
