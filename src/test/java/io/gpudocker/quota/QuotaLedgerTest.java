package io.gpudocker.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Json;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The check of a take against a tenant's quota, and the counts and guards it adds to the take's transaction. */
class QuotaLedgerTest {
    private static final long GB = 1024L * 1024 * 1024;
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final Keys keys = new Keys("/t", "n1");
    private final QuotaLedger ledger = new QuotaLedger(store, keys, new Quota(4L, null, null, null, null, null, null, null, null));

    @Test
    void aTakeWithinTheQuotaMovesTheCountsUnderAGuardOnThem() {
        Txn txn = new Txn();
        ledger.contribute(txn, "alice", gpus(3), Map.of());
        assertThat(store.commit(txn)).isTrue();
        assertThat(usage("alice").gpus()).isEqualTo(3);
        assertThat(txn.guards()).contains(new Txn.Absent(keys.tenantUsage("alice")), new Txn.Absent(keys.tenantQuota("alice")));

        Txn next = new Txn();
        ledger.contribute(next, "alice", gpus(1), Map.of());
        long revision = store.get(keys.tenantUsage("alice")).orElseThrow().modRevision();
        assertThat(next.guards()).contains(new Txn.ModRevisionIs(keys.tenantUsage("alice"), revision));
        assertThat(store.commit(next)).isTrue();
        assertThat(usage("alice").gpus()).isEqualTo(4);
    }

    @Test
    void aTakeOverTheQuotaIsRefusedNamingTheQuotaItsLimitTheUseAndTheAskAndAddsNothing() {
        commit("alice", gpus(3));
        Txn txn = new Txn();

        assertThatThrownBy(() -> ledger.contribute(txn, "alice", gpus(2), Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED))
                .hasMessage("quota gpus of tenant alice: limit 4, in use 3, asked 2");
        assertThat(txn.guards()).isEmpty();
        assertThat(txn.ops()).isEmpty();
    }

    @Test
    void twoTakesReadOnTheSameCountsCannotBothLand() {
        Txn first = new Txn();
        Txn second = new Txn();
        ledger.contribute(first, "alice", gpus(3), Map.of());
        ledger.contribute(second, "alice", gpus(3), Map.of());

        assertThat(store.commit(first)).isTrue();
        assertThat(store.commit(second)).isFalse();
        assertThat(usage("alice").gpus()).isEqualTo(3);
    }

    @Test
    void aQuotaLoweredBelowTheUseRefusesNewTakesButEveryReleaseLands() {
        commit("alice", gpus(4));
        ledger.set("alice", new Quota(1L, null, null, null, null, null, null, null, null));

        assertThatThrownBy(() -> ledger.contribute(new Txn(), "alice", gpus(1), Map.of())).hasMessage("quota gpus of tenant alice: limit 1, in use 4, asked 1");
        commit("alice", gpus(-2));
        assertThat(usage("alice").gpus()).isEqualTo(2);
        // a change that takes none of the limited resource passes while over it
        commit("alice", new Usage(-1, 0, 1, 0, 0, 0));
        assertThat(usage("alice")).isEqualTo(new Usage(1, 0, 1, 0, 0, 0));
    }

    @Test
    void sizesAreNamedAsSizesAndAnUnboundedAskIsRefusedWhereTheQuotaBoundsIt() {
        ledger.set("alice", new Quota(null, null, null, 10 * GB, null, null, null, null, null));
        commit("alice", new Usage(0, 0, 1, 8 * GB, 0, 0));

        assertThatThrownBy(() -> ledger.contribute(new Txn(), "alice", new Usage(0, 0, 1, 4 * GB, 0, 0), Map.of()))
                .hasMessage("quota volumeSize of tenant alice: limit 10GB, in use 8GB, asked 4GB");
        assertThatThrownBy(() -> ledger.contribute(new Txn(), "alice", new Usage(0, 0, 1, 0, 0, 0), Map.of(Resource.VOLUME_SIZE, "a volume without a size")))
                .hasMessage("quota volumeSize of tenant alice: limit 10GB, in use 8GB, asked a volume without a size");
        // unbounded where no limit applies: counted, not refused
        commit("alice", new Usage(0, 0, 0, 0, 0, 0));
        Txn cores = new Txn();
        ledger.contribute(cores, "alice", new Usage(0, 1, 0, 0, 0, 0), Map.of(Resource.CORES, "unpinned cores"));
        assertThat(store.commit(cores)).isTrue();
    }

    @Test
    void theFirstCountOfATenantIsWhatItsRecordsHold() {
        ledger.addSource(tenant -> tenant.equals("alice") ? gpus(2) : Usage.NONE);
        ledger.addSource(tenant -> new Usage(0, 0, 3, 0, 0, 0));

        assertThatThrownBy(() -> ledger.contribute(new Txn(), "alice", gpus(3), Map.of())).hasMessageContaining("in use 2, asked 3");
        commit("alice", gpus(1));
        assertThat(usage("alice")).isEqualTo(new Usage(3, 0, 3, 0, 0, 0));
    }

    @Test
    void whatExistsIsCountedUnenforcedAndTheAdminIsNotCounted() {
        commit("alice", gpus(4));
        QuotaLedger.unenforced(() -> {
            commit("alice", gpus(2));
            return null;
        });
        assertThat(usage("alice").gpus()).isEqualTo(6);

        Txn admin = new Txn();
        ledger.contribute(admin, "admin", gpus(100), Map.of());
        ledger.contribute(admin, null, gpus(100), Map.of());
        assertThat(admin.guards()).isEmpty();
        assertThat(admin.ops()).isEmpty();
    }

    @Test
    void theDefaultsApplyUntilTheAdminGivesATenantItsOwnQuota() {
        assertThat(ledger.read("bob").own()).isFalse();
        assertThat(ledger.read("bob").quota().gpus()).isEqualTo(4);
        ledger.set("bob", Quota.UNLIMITED);
        assertThat(ledger.read("bob").own()).isTrue();
        commit("bob", gpus(9));
        ledger.reset("bob");
        assertThatThrownBy(() -> ledger.contribute(new Txn(), "bob", gpus(1), Map.of())).hasMessage("quota gpus of tenant bob: limit 4, in use 9, asked 1");
    }

    private void commit(String tenant, Usage delta) {
        Txn txn = new Txn();
        ledger.contribute(txn, tenant, delta, Map.of());
        assertThat(store.commit(txn)).isTrue();
    }

    private Usage usage(String tenant) {
        return Json.read(store.get(keys.tenantUsage(tenant)).orElseThrow().value(), Usage.class);
    }

    private static Usage gpus(long n) {
        return new Usage(n, 0, 0, 0, 0, 0);
    }
}
