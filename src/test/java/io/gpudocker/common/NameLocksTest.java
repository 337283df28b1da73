package io.gpudocker.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NameLocksTest {
    private final NameLocks locks = new NameLocks(Duration.ofSeconds(30));

    @Test
    void manyThreadsOnFewNamesAreSerialisedPerNameAndLeaveNoEntryBehind() throws Exception {
        int threads = 16;
        int rounds = 2_000;
        String[] names = {"a", "b", "c"};
        AtomicInteger[] inside = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        AtomicInteger overlaps = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    int n = (seed + i) % names.length;
                    try (var held = locks.lock(names[n])) {
                        if (inside[n].incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        inside[n].decrementAndGet();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        assertThat(overlaps).as("two holders of one name at once").hasValue(0);
        assertThat(locks.size()).as("entries left once no one holds or waits").isZero();
    }

    @Test
    void everDifferentNamesDoNotAccumulate() {
        for (int i = 0; i < 10_000; i++) {
            try (var held = locks.lock("name" + i)) {
                assertThat(locks.size()).isEqualTo(1);
            }
        }
        assertThat(locks.size()).isZero();
    }

    @Test
    void aWaiterKeepsTheEntryAndOneThatGivesUpLeavesNone() throws Exception {
        NameLocks impatient = new NameLocks(Duration.ofMillis(200));
        var held = impatient.lock("foo");
        Thread other = new Thread(() -> assertThatThrownBy(() -> impatient.lock("foo"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BUSY)));
        other.start();
        other.join();
        assertThat(impatient.size()).isEqualTo(1);
        held.close();
        assertThat(impatient.size()).isZero();
    }

    @Test
    void theSameThreadMayTakeItsLockAgain() {
        try (var outer = locks.lock("foo"); var inner = locks.lock("foo")) {
            assertThat(locks.size()).isEqualTo(1);
        }
        assertThat(locks.size()).isZero();
    }

    @Test
    void setsTakenInAnyOrderDoNotDeadlock() throws Exception {
        var first = locks.lockAll(List.of("b", "a"));
        CountDownLatch asked = new CountDownLatch(1);
        var other = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            asked.countDown();
            try (var second = locks.lockAll(List.of("a", "c", "b"))) {
                return locks.size();
            }
        });
        asked.await();
        Thread.sleep(50);
        assertThat(other).isNotDone();
        first.close();
        assertThat(other.get(5, TimeUnit.SECONDS)).as("the second set held a, b and c").isEqualTo(3);
        assertThat(locks.size()).isZero();
    }

    @Test
    void aSetThatCannotBeHeldReleasesWhatItTook() throws Exception {
        NameLocks impatient = new NameLocks(Duration.ofMillis(100));
        var held = impatient.lock("b");
        Thread other = new Thread(() -> assertThatThrownBy(() -> impatient.lockAll(List.of("a", "b")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BUSY)));
        other.start();
        other.join();
        held.close();
        assertThat(impatient.size()).as("a was given back when b could not be had").isZero();
    }
}
