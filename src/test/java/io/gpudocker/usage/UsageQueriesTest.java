package io.gpudocker.usage;

import io.gpudocker.common.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

class UsageQueriesTest {
    private final UsageLedger ledger = mock(UsageLedger.class);
    private final UsageQueries queries = new UsageQueries(ledger, new TestClock(Instant.parse("2026-06-15T12:00:00Z")));

    @Test
    void aTenantIsHeldToItsOwnUsage() {
        assertThatThrownBy(() -> queries.report(Caller.tenant("alice"), "bob", null, null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        verify(ledger, never()).report(any());

        assertThat(asked(Caller.tenant("alice"), null, null, null, null))
                .isEqualTo(new UsageQuery("alice", LocalDate.parse("2026-06-01"), LocalDate.parse("2026-06-15"), UsageQuery.By.INSTANCE));
    }

    @Test
    void theAdminSeesEveryTenantOrTheOneNamed() {
        assertThat(asked(Caller.ADMIN, null, "2026-01-01", "2026-12-31", "day").tenant()).isNull();
        assertThat(asked(Caller.ADMIN, "bob", "2026-01-01", "2026-12-31", "DAY"))
                .isEqualTo(new UsageQuery("bob", LocalDate.parse("2026-01-01"), LocalDate.parse("2026-12-31"), UsageQuery.By.DAY));
    }

    @Test
    void badParametersAreRefusedNamingThem() {
        assertThatThrownBy(() -> queries.report(Caller.ADMIN, null, "yesterday", null, null)).hasMessageContaining("from 'yesterday'");
        assertThatThrownBy(() -> queries.report(Caller.ADMIN, null, "2026-02-01", "2026-01-01", null)).hasMessageContaining("before from");
        assertThatThrownBy(() -> queries.report(Caller.ADMIN, null, null, null, "week")).hasMessageContaining("by 'week'");
        assertThatThrownBy(() -> queries.report(Caller.ADMIN, null, "2000-01-01", "2026-01-01", null)).hasMessageContaining("more than");
        verify(ledger, never()).report(any());
    }

    private UsageQuery asked(Caller caller, String tenant, String from, String to, String by) {
        when(ledger.report(any())).thenReturn(new UsageReport(null, null, "instance", List.of(), Amounts.ZERO));
        queries.report(caller, tenant, from, to, by);
        ArgumentCaptor<UsageQuery> q = ArgumentCaptor.forClass(UsageQuery.class);
        verify(ledger, org.mockito.Mockito.atLeastOnce()).report(q.capture());
        return q.getValue();
    }
}
