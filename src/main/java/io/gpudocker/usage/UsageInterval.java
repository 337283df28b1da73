package io.gpudocker.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an instance held from {@code start} (included) to {@code end} (excluded). A closed interval is written in the
 * same transaction as the change that ended it; the open one (end null) lasts until now.
 */
public record UsageInterval(Held held, Instant start, Instant end) {

    /** Its part inside {@code [from, to)}, split by UTC day; an open interval counts up to {@code now}. */
    public Map<LocalDate, Amounts> perDay(Instant from, Instant to, Instant now) {
        Instant a = start.isAfter(from) ? start : from;
        Instant last = end == null ? now : end;
        Instant b = last.isBefore(to) ? last : to;
        Map<LocalDate, Amounts> days = new LinkedHashMap<>();
        while (a.isBefore(b)) {
            LocalDate day = day(a);
            Instant midnight = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            Instant cut = midnight.isBefore(b) ? midnight : b;
            Amounts part = held.over(cut.toEpochMilli() - a.toEpochMilli());
            if (!part.isZero()) {
                days.merge(day, part, Amounts::plus);
            }
            a = cut;
        }
        return days;
    }

    /** The UTC day {@code t} falls on. */
    public static LocalDate day(Instant t) {
        return LocalDate.ofInstant(t, ZoneOffset.UTC);
    }

    public static Instant startOf(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
