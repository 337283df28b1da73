package io.gpudocker.api;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Times in the original project's format ({@code 2006-01-02 15:04:05}, the host's local time, as Go's
 * {@code time.Now().Format} wrote them), for the fields its clients read.
 */
public final class OriginalTime {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private OriginalTime() {}

    public static String format(Instant instant) {
        return instant == null ? null : FORMAT.format(instant);
    }
}
