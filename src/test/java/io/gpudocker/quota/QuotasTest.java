package io.gpudocker.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import org.junit.jupiter.api.Test;

/** Setting a quota from its request, and the view of a tenant's quota and use. */
class QuotasTest {
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final QuotaLedger ledger = new QuotaLedger(store, new Keys("/t", "n1"), Quota.UNLIMITED);
    private final TenantHolds onN1 = new TenantHolds(store, new Keys("/t", "n1"), () -> 0);
    private final TenantHolds onN2 = new TenantHolds(store, new Keys("/t", "n2"), () -> 0);
    private final Quotas quotas = new Quotas(ledger, true, onN1);

    @Test
    void sizesAreReadAsSizesAndABadOneIsRefusedNamingItsFieldChangingNothing() {
        QuotaViews.View view = quotas.set("alice", new QuotaViews.Update(4L, null, null, "1.5GB", null, "0", null, null, null));

        assertThat(view.defaults()).isFalse();
        assertThat(ledger.read("alice").quota()).isEqualTo(new Quota(4L, null, null, 1536L * 1024 * 1024, null, 0L, null, null, null));
        assertThat(view.resources()).filteredOn(l -> l.resource().equals("volumeSize")).singleElement()
                .satisfies(l -> assertThat(l.limitText()).isEqualTo("1536MB"));
        assertThatThrownBy(() -> quotas.set("alice", new QuotaViews.Update(1L, null, null, "lots", null, null, null, null, null)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_INVALID);
                    assertThat(e.field()).isEqualTo("volumeSize");
                });
        assertThat(ledger.read("alice").quota().gpus()).isEqualTo(4L);
    }

    @Test
    void theViewCountsSessionsAndImagesHeldOnEveryNodeAndShowsUnknownWhenEtcdCannotTell() {
        onN1.take(Resource.TERMINALS, "alice", null, "t1", true);
        onN2.take(Resource.TERMINALS, "alice", null, "t2", true);
        onN2.take(Resource.IMAGES, "alice", null, "alice/snap:v1", false);

        QuotaViews.View view = quotas.view("alice");

        assertThat(view.defaults()).isTrue();
        assertThat(view.resources()).extracting(QuotaViews.Line::resource).containsExactly("gpus", "instances", "volumes", "volumeSize", "cores",
                "memory", "executes", "terminals", "images");
        assertThat(view.resources()).allSatisfy(l -> assertThat(l.scope()).isEqualTo("cluster"));
        assertThat(view.resources()).filteredOn(l -> l.resource().equals("terminals")).singleElement()
                .satisfies(l -> assertThat(l.used()).isEqualTo(2L));
        assertThat(view.resources()).filteredOn(l -> l.resource().equals("images")).singleElement()
                .satisfies(l -> assertThat(l.used()).isEqualTo(1L));
        assertThat(new Quotas(ledger, true, new TenantHolds(new InMemoryKeyValueStore() {
            @Override
            public java.util.List<io.gpudocker.store.KeyValue> list(String prefix) {
                throw new IllegalStateException("etcd does not answer");
            }
        }, new Keys("/t", "n1"), () -> 0)).view("alice").resources()).filteredOn(l -> l.resource().equals("images")).singleElement()
                .satisfies(l -> assertThat(l.usedText()).isEqualTo("unknown"));
    }

    @Test
    void withQuotasOffNoLimitApplies() {
        ledger.set("alice", new Quota(0L, null, null, null, null, null, 0L, null, null));
        assertThat(new Quotas(ledger, false, onN1).limit("alice", Resource.EXECUTES)).isNull();
        assertThat(quotas.limit("alice", Resource.EXECUTES)).isZero();
        assertThat(quotas.limit("admin", Resource.EXECUTES)).isNull();
    }
}
