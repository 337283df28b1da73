package io.gpudocker.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedLookupsTest {
    private final SharedLookups<String, String> lookups = new SharedLookups<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    @Test
    void callersAskingWhileALookupRunsShareItsFoundAnswer() throws Exception {
        CompletableFuture<Optional<String>> first = CompletableFuture.supplyAsync(() -> lookups.find("img", () -> slow(Optional.of("sha256:1"))));
        awaitRunning();
        List<CompletableFuture<Optional<String>>> joiners = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            joiners.add(CompletableFuture.supplyAsync(() -> lookups.find("img", () -> slow(Optional.of("sha256:other")))));
        }
        Thread.sleep(100);
        release.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).contains("sha256:1");
        for (var j : joiners) {
            assertThat(j.get(5, TimeUnit.SECONDS)).contains("sha256:1");
        }
        assertThat(calls).as("one lookup for nine callers").hasValue(1);
        assertThat(lookups.running()).isZero();
    }

    @Test
    void aJoinerWhoseSharedLookupFoundNothingAsksAgainItself() throws Exception {
        CompletableFuture<Optional<String>> first = CompletableFuture.supplyAsync(() -> lookups.find("img", () -> slow(Optional.empty())));
        awaitRunning();
        CompletableFuture<Optional<String>> joiner = CompletableFuture.supplyAsync(() -> lookups.find("img", () -> {
            calls.incrementAndGet();
            return Optional.of("committed since");
        }));
        Thread.sleep(100);
        release.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(joiner.get(5, TimeUnit.SECONDS)).contains("committed since");
        assertThat(calls).hasValue(2);
    }

    @Test
    void aFailedLookupFailsItsCallerAndTheOthersAskAgain() throws Exception {
        CompletableFuture<Optional<String>> first = CompletableFuture.supplyAsync(() -> lookups.find("img", () -> {
            slow(Optional.empty());
            throw new IllegalStateException("daemon gone");
        }));
        awaitRunning();
        CompletableFuture<Optional<String>> joiner = CompletableFuture.supplyAsync(() -> lookups.find("img", () -> Optional.of("sha256:2")));
        Thread.sleep(100);
        release.countDown();

        assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("daemon gone");
        assertThat(joiner.get(5, TimeUnit.SECONDS)).contains("sha256:2");
        assertThat(lookups.running()).isZero();
    }

    @Test
    void lookupsOfDifferentKeysDoNotWaitForEachOther() {
        assertThat(lookups.find("a", () -> Optional.of("1"))).contains("1");
        assertThat(lookups.find("b", () -> Optional.of("2"))).contains("2");
        assertThat(lookups.find("a", () -> Optional.of("3"))).as("nothing kept once a lookup ends").contains("3");
    }

    private Optional<String> slow(Optional<String> answer) {
        calls.incrementAndGet();
        try {
            release.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return answer;
    }

    private void awaitRunning() throws InterruptedException {
        for (int i = 0; i < 500 && lookups.running() == 0; i++) {
            Thread.sleep(10);
        }
        assertThat(lookups.running()).isEqualTo(1);
    }
}
