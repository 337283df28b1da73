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
import io.gpudocker.quota.TenantHolds;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import org.junit.jupiter.api.Test;

/** A tenant's quota on sessions bounds its slots below the configured cap; the admin is bound by its cap alone. */
class SessionSlotsQuotaTest {
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final QuotaLedger ledger = new QuotaLedger(store, new Keys("/t", "n1"), Quota.UNLIMITED);
    private final Quotas quotas = new Quotas(ledger, true, new TenantHolds(store, new Keys("/t", "n1"), () -> 7));
    private final SessionSlots slots = new SessionSlots("running command(s)", "gda.sessions.executes-per-tenant", 4, 2)
            .withQuota(quotas, Resource.EXECUTES);
    /** The same tenants' slots on a second node of the same etcd. */
    private final SessionSlots onOtherNode = new SessionSlots("running command(s)", "gda.sessions.executes-per-tenant", 4, 2)
            .withQuota(new Quotas(ledger, true, new TenantHolds(store, new Keys("/t", "n2"), () -> 9)), Resource.EXECUTES);

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
        assertThat(store.list("/t/apis/v1/quota/")).as("nothing of a tenant that holds nothing stays in etcd").isEmpty();
    }

    @Test
    void aSlotHeldOnOneNodeCountsOnTheOtherUnderTheNodesLeaseAndItsCloseGivesItBackThere() {
        ledger.set("alice", new Quota(null, null, null, null, null, null, 1L, null, null));
        java.util.Map<String, String> quotaKey = store.snapshot();
        SessionSlots.Slot onN1 = slots.acquire(Caller.tenant("alice"));

        assertThatThrownBy(() -> onOtherNode.acquire(Caller.tenant("alice")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED))
                .hasMessage("quota executes of tenant alice: limit 1, in use 1, asked 1");
        assertThatThrownBy(() -> onOtherNode.requireRoom(Caller.tenant("alice"))).isInstanceOf(ApiException.class);
        assertThat(store.list("/t/apis/v1/quota/executes/alice/held/")).singleElement().satisfies(kv -> {
            assertThat(kv.key()).startsWith("/t/apis/v1/quota/executes/alice/held/n1/");
            assertThat(kv.lease()).as("under node n1's lease").isEqualTo(7);
        });

        onN1.close();
        onN1.close();
        SessionSlots.Slot onN2 = onOtherNode.acquire(Caller.tenant("alice"));
        assertThat(onOtherNode.openFor(Caller.tenant("alice"))).isEqualTo(1);
        onN2.close();
        assertThat(store.snapshot()).isEqualTo(quotaKey);
    }

    @Test
    void aSlotRefusedByTheCapHereGivesBackTheQuotaItTookInEtcd() {
        ledger.set("dora", new Quota(null, null, null, null, null, null, 10L, null, null));
        java.util.List<SessionSlots.Slot> held = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(slots.acquire(Caller.tenant("dora")));
        }
        assertThatThrownBy(() -> slots.acquire(Caller.tenant("dora")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_SESSIONS));
        assertThat(store.list("/t/apis/v1/quota/executes/dora/held/")).hasSize(4);
        held.forEach(SessionSlots.Slot::close);
        assertThat(store.list("/t/apis/v1/quota/")).isEmpty();
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
