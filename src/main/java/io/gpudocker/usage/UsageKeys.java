package io.gpudocker.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;

/**
 * Where metering keeps its keys, under {@code <prefix>/apis/v1/usage/}. Closed intervals are filed under the UTC day
 * they ended, so what compaction takes is one range; compacted usage is kept as running totals per instance over the
 * days of each month and over the months of each year, and as sums per day and tenant, so that a query over a year
 * reads a few figures per instance, never every interval or day. Folded intervals stay in the archive, as they were,
 * for the retention.
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

    /**
     * One instance's running totals over the days of {@code month} ({@link RunningSums}): a query reads two of them
     * per month it cuts, however many days it takes of it.
     */
    public String runningDays(YearMonth month, String tenant, String kind, String name) { return runningDaysOf(month) + tenant + "/" + kind + "/" + name; }

    public String runningDays() { return root + "running-days/"; }

    public String runningDaysOf(YearMonth month) { return runningDays() + month + "/"; }

    /** One instance's running totals over the months of {@code year}: whole months of a query, two figures a year. */
    public String runningMonths(int year, String tenant, String kind, String name) { return runningMonthsOf(year) + tenant + "/" + kind + "/" + name; }

    public String runningMonths() { return root + "running-months/"; }

    public String runningMonthsOf(int year) { return runningMonths() + year + "/"; }

    /** Daily sums per instance as releases before the running totals kept them: read while any are left, and moved into running totals by the compaction. */
    public String legacyDays() { return root + "days/"; }

    public String legacyDaysOf(LocalDate day) { return legacyDays() + day + "/"; }

    /** Monthly sums per instance as releases before the running totals kept them (the sum of their daily sums): dropped once moved. */
    public String legacyMonths() { return root + "months/"; }

    public String legacyMonthsOf(YearMonth month) { return legacyMonths() + month + "/"; }

    /** A legacy daily or monthly sum's key. */
    public String legacyDay(LocalDate day, String tenant, String kind, String name) { return legacyDaysOf(day) + tenant + "/" + kind + "/" + name; }

    public String legacyMonth(YearMonth month, String tenant, String kind, String name) { return legacyMonthsOf(month) + tenant + "/" + kind + "/" + name; }

    public String tenantDay(LocalDate day, String tenant) { return tenantDays() + day + "/" + tenant; }

    public String tenantDays() { return root + "tenant-days/"; }

    public String tenantDaysOf(LocalDate day) { return tenantDays() + day + "/"; }

    /** A tenant's compacted usage since metering began (what its counters start from). */
    public String tenantTotal(String tenant) { return tenantTotals() + tenant; }

    public String tenantTotals() { return root + "tenant-totals/"; }

    /** Changed by every compaction: a query that sees it change while it reads reads again. */
    public String compactionMark() { return root + "compaction"; }
}
