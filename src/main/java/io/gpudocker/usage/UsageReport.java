package io.gpudocker.usage;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDate;
import java.util.List;

/**
 * The answer to a usage query: one row per instance (or volume) or per tenant and day, and their total.
 * {@code day} is null in rows by instance; {@code kind} and {@code instance} are null in rows by day.
 */
public record UsageReport(LocalDate from, LocalDate to, String by, List<Row> rows, Amounts total) {
    @Schema(name = "UsageRow")
    public record Row(String tenant, LocalDate day, String kind, String instance, Amounts usage) {}
}
