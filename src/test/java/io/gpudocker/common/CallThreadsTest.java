package io.gpudocker.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CallThreadsTest {

    @Test
    void virtualExactlyWhereTheRuntimeHasVirtualThreads() {
        assertThat(CallThreads.virtual()).isEqualTo(Runtime.version().feature() >= 21);
    }

    @Test
    void callThreadsAreNamedDaemonsThatNeverHoldTheJvmOpen() throws Exception {
        AtomicReference<Thread> ran = new AtomicReference<>();
        ExecutorService calls = CallThreads.perTask("test-call-");
        try {
            calls.submit(() -> ran.set(Thread.currentThread())).get(10, TimeUnit.SECONDS);
        } finally {
            calls.shutdownNow();
        }
        assertThat(ran.get().getName()).isEqualTo("test-call-1");
        assertThat(ran.get().isDaemon()).isTrue();
    }
}
