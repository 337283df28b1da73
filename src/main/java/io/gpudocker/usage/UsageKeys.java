package io.gpudocker.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;

/**
 * Where metering keeps its keys, under {@code <prefix>/apis/v1/usage/}. Closed intervals are filed under the UTC day
 * they ended, so what compaction takes is one range; compacted sums are kept per day and instance, per month and
 * instance, and per day and tenant, so that a query over a year reads months and days, never every interval. Folded
 * intervals stay in the archive, as they were, for the retention.
 */
public final class UsageKeys {
    private final String root;

    public UsageKeys(String root) {
        this.root = root;
    }

    public String root() { return root; }

    /** The interval an instance or volume is in now: what it holds and since when. */
    public String open(String kind, String name) { return opens() + kind + "/" + name; }

    public String opens() { return root + "open/"; }

    public String interval(String tenant, String kind, String name, Instant start, Instant end) {
        return intervals() + UsageInterval.day(end) + "/" + tenant + "/" + kind + "/" + name + "/" + start.toEpochMilli() + "-" + end.toEpochMilli();
    }

    public String intervals() { return root + "intervals/"; }

    /** The first key of the closed intervals that ended on {@code day}. */
    public String intervalsOf(LocalDate day) { return intervals() + day + "/"; }

    /** Where a closed interval is kept once folded into the sums, exactly as it was, until the retention has passed. */
    public String archived(String intervalKey) { return archive() + intervalKey.substring(intervals().length()); }

    public String archive() { return root + "archive/"; }

    public String archiveOf(LocalDate day) { return archive() + day + "/"; }

    public String day(LocalDate day, String tenant, String kind, String name) { return days() + day + "/" + tenant + "/" + kind + "/" + name; }

    public String days() { return root + "days/"; }

    public String daysOf(LocalDate day) { return days() + day + "/"; }

    public String month(YearMonth month, String tenant, String kind, String name) { return months() + month + "/" + tenant + "/" + kind + "/" + name; }

    public String months() { return root + "months/"; }

    public String monthsOf(YearMonth month) { return months() + month + "/"; }

    public String tenantDay(LocalDate day, String tenant) { return tenantDays() + day + "/" + tenant; }

    public String tenantDays() { return root + "tenant-days/"; }

    public String tenantDaysOf(LocalDate day) { return tenantDays() + day + "/"; }

    /** A tenant's compacted usage since metering began (what its counters start from). */
    public String tenantTotal(String tenant) { return tenantTotals() + tenant; }

    public String tenantTotals() { return root + "tenant-totals/"; }

    /** Changed by every compaction: a query that sees it change while it reads reads again. */
    public String compactionMark() { return root + "compaction"; }
}
