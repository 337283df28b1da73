package io.gpudocker.usage;

import java.time.LocalDate;

/**
 * Which usage to add up: the UTC days {@code from} to {@code to} (both included), of one tenant (null: every tenant,
 * for the admin), by instance or by day.
 */
public record UsageQuery(String tenant, LocalDate from, LocalDate to, By by) {
    public enum By { INSTANCE, DAY }
}
