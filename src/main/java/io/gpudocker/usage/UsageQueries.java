package io.gpudocker.usage;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** A caller's usage query: its parameters checked, a tenant held to its own usage, the admin to anyone's. */
public class UsageQueries {
    /** The longest query: ten years of days. */
    static final long MAX_DAYS = 3660;

    private final UsageLedger ledger;
    private final Clock clock;

    public UsageQueries(UsageLedger ledger, Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * @param tenant whose usage: a tenant may name only itself; the admin anyone, or none for every tenant
     * @param from   first UTC day, yyyy-MM-dd; default the first of this month
     * @param to     last UTC day, included; default today
     * @param by     "instance" (default) or "day"
     */
    public UsageReport report(Caller caller, String tenant, String from, String to, String by) {
        String whose = tenant == null || tenant.isBlank() ? (caller.admin() ? null : caller.tenantName()) : tenant.trim();
        if (whose != null && !caller.maySee(whose)) {
            throw ApiException.of(ErrorCode.FORBIDDEN, "tenant '%s' may see only its own usage, not tenant '%s''s", caller.tenantName(), whose);
        }
        LocalDate today = LocalDate.now(clock.withZone(java.time.ZoneOffset.UTC));
        LocalDate first = day("from", from, today.withDayOfMonth(1));
        LocalDate last = day("to", to, today);
        if (last.isBefore(first)) {
            throw ApiException.of(ErrorCode.INVALID_PARAMS, "to (%s) is before from (%s); nothing was read", last, first);
        }
        if (ChronoUnit.DAYS.between(first, last) >= MAX_DAYS) {
            throw ApiException.of(ErrorCode.INVALID_PARAMS, "from %s to %s spans more than %d days; ask for less", first, last, MAX_DAYS);
        }
        return ledger.report(new UsageQuery(whose, first, last, by(by)));
    }

    private static LocalDate day(String name, String text, LocalDate otherwise) {
        if (text == null || text.isBlank()) {
            return otherwise;
        }
        try {
            return LocalDate.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw ApiException.of(ErrorCode.INVALID_PARAMS, "%s '%s' is not a day (yyyy-MM-dd, UTC)", name, text);
        }
    }

    private static UsageQuery.By by(String text) {
        if (text == null || text.isBlank()) {
            return UsageQuery.By.INSTANCE;
        }
        try {
            return UsageQuery.By.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_PARAMS, "by '%s' is not one of: instance, day", text);
        }
    }
}
