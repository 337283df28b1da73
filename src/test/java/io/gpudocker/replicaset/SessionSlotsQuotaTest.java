package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.quota.Quota;
import io.gpudocker.quota.QuotaLedger;
import io.gpudocker.quota.Quotas;
import io.gpudocker.quota.Resource;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import org.junit.jupiter.api.Test;

/** A tenant's quota on sessions bounds its slots below the configured cap; the admin is bound by its cap alone. */
class SessionSlotsQuotaTest {
    private final QuotaLedger ledger = new QuotaLedger(new InMemoryKeyValueStore(), new Keys("/t", "n1"), Quota.UNLIMITED);
    private final Quotas quotas = new Quotas(ledger, true);
    private final SessionSlots slots = new SessionSlots("running command(s)", "gda.sessions.executes-per-tenant", 4, 2)
            .withQuota(quotas, Resource.EXECUTES);

    @Test
    void aTenantsQuotaRefusesTheSlotBeyondItWithTheQuotasCodeAndAClosedSlotMakesRoom() {
        ledger.set("alice", new Quota(null, null, null, null, null, null, 1L, null, null));
        SessionSlots.Slot first = slots.acquire(Caller.tenant("alice"));

        assertThatThrownBy(() -> slots.acquire(Caller.tenant("alice")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED))
                .hasMessage("quota executes of tenant alice: limit 1, in use 1, asked 1");
        assertThat(quotas.view("alice").resources()).filteredOn(l -> l.resource().equals("executes"))
                .singleElement().satisfies(l -> assertThat(l.used()).isEqualTo(1L));
        slots.acquire(Caller.tenant("bob")).close();

        first.close();
        slots.acquire(Caller.tenant("alice")).close();
    }

    @Test
    void withoutAQuotaTheConfiguredCapStillAppliesAndTheAdminIsNotBound() {
        for (int i = 0; i < 4; i++) {
            slots.acquire(Caller.tenant("carol"));
        }
        assertThatThrownBy(() -> slots.acquire(Caller.tenant("carol")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_SESSIONS));

        ledger.set("admin", new Quota(null, null, null, null, null, null, 0L, null, null));
        slots.acquire(Caller.ADMIN);
        slots.acquire(Caller.ADMIN);
        assertThatThrownBy(() -> slots.acquire(Caller.ADMIN))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_SESSIONS));
    }
}
