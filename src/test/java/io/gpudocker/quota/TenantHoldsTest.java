package io.gpudocker.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A tenant's sessions and images as keys in etcd: one count over every node, two takes never pass on one count. */
class TenantHoldsTest {
    private static final String HELD = "/t/apis/v1/quota/executes/alice/held/";

    @Test
    void ofTwoNodesThatReadTheSameCountOnlyOneTakesTheLastUnitAndTheOtherIsRefused() {
        AtomicBoolean raced = new AtomicBoolean();
        InMemoryKeyValueStore store = new InMemoryKeyValueStore() {
            private TenantHolds other;

            @Override
            public synchronized boolean commit(Txn txn) {
                // node n2 commits its take between node n1's read and n1's commit
                if (raced.compareAndSet(false, true)) {
                    other = new TenantHolds(this, new Keys("/t", "n2"), () -> 0);
                    other.take(Resource.EXECUTES, "alice", 1L, "s2", true);
                }
                return super.commit(txn);
            }
        };
        TenantHolds n1 = new TenantHolds(store, new Keys("/t", "n1"), () -> 0);

        assertThatThrownBy(() -> n1.take(Resource.EXECUTES, "alice", 1L, "s1", true))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED))
                .hasMessage("quota executes of tenant alice: limit 1, in use 1, asked 1");
        assertThat(store.list(HELD)).extracting(kv -> kv.key()).containsExactly(HELD + "n2/s2");
    }

    @Test
    void aNodesSessionsGoWithItsLeaseAndTheLastReleaseLeavesNothing() {
        InMemoryKeyValueStore store = new InMemoryKeyValueStore();
        long lease = store.grantLease(java.time.Duration.ofSeconds(10));
        TenantHolds n1 = new TenantHolds(store, new Keys("/t", "n1"), () -> lease);
        TenantHolds n2 = new TenantHolds(store, new Keys("/t", "n2"), () -> 0);
        n1.take(Resource.EXECUTES, "alice", 2L, "a", true);
        n1.take(Resource.EXECUTES, "alice", 2L, "b", true);
        assertThatThrownBy(() -> n2.requireRoom(Resource.EXECUTES, "alice", 2L)).isInstanceOf(ApiException.class);

        store.expire(lease);

        assertThat(n2.count(Resource.EXECUTES, "alice")).isZero();
        TenantHolds.Hold hold = n2.take(Resource.EXECUTES, "alice", 2L, "c", true).orElseThrow();
        hold.close();
        hold.close();
        assertThat(store.snapshot()).isEmpty();
    }

    @Test
    void anImageKeyLastsWithoutALeaseIsTakenOnceByNameAndCountsPerNode() {
        InMemoryKeyValueStore store = new InMemoryKeyValueStore();
        TenantHolds n1 = new TenantHolds(store, new Keys("/t", "n1"), () -> 5);
        TenantHolds n2 = new TenantHolds(store, new Keys("/t", "n2"), () -> 6);

        assertThat(n1.take(Resource.IMAGES, "alice", 2L, "alice/x:1", false)).isPresent();
        assertThat(n1.take(Resource.IMAGES, "alice", 2L, "alice/x:1", false)).as("the same name again takes nothing").isEmpty();
        assertThat(n2.take(Resource.IMAGES, "alice", 2L, "alice/x:1", false)).as("the same name on another engine is another image").isPresent();
        assertThat(store.list("/t/apis/v1/quota/images/alice/")).allSatisfy(kv -> assertThat(kv.lease()).isZero());
        assertThat(n1.heldHere(Resource.IMAGES, "alice")).containsExactly("alice/x:1");
        assertThatThrownBy(() -> n1.take(Resource.IMAGES, "alice", 2L, "alice/y:1", false)).hasMessage(
                "quota images of tenant alice: limit 2, in use 2, asked 1");
        assertThat(n1.count(Resource.IMAGES, "bob")).isZero();
    }
}
