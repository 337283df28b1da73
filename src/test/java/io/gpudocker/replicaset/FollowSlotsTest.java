package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FollowSlotsTest {

    @Test
    void aTenantGetsAtMostItsShare() {
        FollowSlots slots = new FollowSlots(2, 10);
        slots.acquire("alice");
        slots.acquire("alice");
        assertThatThrownBy(() -> slots.acquire("alice"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_STREAMS))
                .hasMessageContaining("tenant 'alice' already follows 2 log(s)");
        slots.acquire("bob");
        assertThat(slots.openFor("alice")).isEqualTo(2);
        assertThat(slots.openInAll()).isEqualTo(3);
    }

    @Test
    void everyoneTogetherGetsAtMostTheTotal() {
        FollowSlots slots = new FollowSlots(2, 3);
        slots.acquire("alice");
        slots.acquire("alice");
        slots.acquire("bob");
        assertThatThrownBy(() -> slots.acquire("carol"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code().status().value()).isEqualTo(429))
                .hasMessageContaining("3 followed logs are open");
        assertThat(slots.openFor("carol")).isZero();
    }

    @Test
    void aSlotIsGivenBackOnceHoweverTheStreamEnds() {
        FollowSlots slots = new FollowSlots(1, 1);
        try (FollowSlots.Slot slot = slots.acquire("alice")) {
            throw new IllegalStateException("the stream failed");
        } catch (IllegalStateException expected) {
            // the slot was closed on the way out
        }
        FollowSlots.Slot again = slots.acquire("alice");
        again.close();
        again.close();
        assertThat(slots.openInAll()).isZero();
        assertThat(slots.openFor("alice")).isZero();
        slots.acquire("bob");
        assertThatThrownBy(() -> slots.acquire("alice")).isInstanceOf(ApiException.class);
    }

    @Test
    void concurrentCallersNeverExceedTheLimits() throws Exception {
        FollowSlots slots = new FollowSlots(3, 8);
        int threads = 16;
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger mostHeld = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String tenant = "tenant" + (t % 4);
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 500; i++) {
                    try (FollowSlots.Slot slot = slots.acquire(tenant)) {
                        int now = holding.incrementAndGet();
                        mostHeld.accumulateAndGet(now, Math::max);
                        assertThat(slots.openFor(tenant)).isLessThanOrEqualTo(3);
                        Thread.yield();
                        holding.decrementAndGet();
                    } catch (ApiException e) {
                        refused.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(mostHeld.get()).isLessThanOrEqualTo(8);
        assertThat(refused.get()).as("16 threads on 8 slots must sometimes be refused").isPositive();
        assertThat(slots.openInAll()).isZero();
        for (int t = 0; t < 4; t++) {
            assertThat(slots.openFor("tenant" + t)).isZero();
        }
    }
}
