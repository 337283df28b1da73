package io.gpudocker.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

// Bounds are generous on purpose: they catch a hang, never a slow machine.
@Timeout(60)
class ProcessRunnerTest {
    private final ProcessRunner runner = new ProcessRunner();

    @Test
    void capturesBothStreamsAndTheExitCode() {
        ProcessRunner.Result result = runner.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(20));

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.stdout()).isEqualTo("out\n");
        assertThat(result.stderr()).isEqualTo("err\n");
    }

    @Test
    void aChildWritingMoreThanAPipeHoldsOnBothStreamsFinishesAndKeepsTheTail() {
        String script = "head -c 1000000 /dev/zero | tr '\\0' x; head -c 1000000 /dev/zero | tr '\\0' y >&2; echo end";

        ProcessRunner.Result result = runner.run(List.of("sh", "-c", script), Duration.ofSeconds(20));

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).hasSize(ProcessRunner.TAIL_BYTES).endsWith("xend\n");
        assertThat(result.stderr()).hasSize(ProcessRunner.TAIL_BYTES).matches("y+");
    }

    @Test
    void aHungChildIsKilledWithEverythingItStarted(@TempDir Path tmp) throws Exception {
        Path pids = tmp.resolve("pids");
        // the shell writes its own pid and its background grandchild's before both hang
        List<String> hung = List.of("sh", "-c", "sleep 300 & echo $$ $! > '" + pids + "'; sleep 300");

        long started = System.nanoTime();
        assertThatThrownBy(() -> runner.run(hung, Duration.ofMillis(500)))
                .isInstanceOf(ProcessRunner.TimedOut.class)
                .hasMessage("sh did not finish within 500ms; it was killed")
                .satisfies(e -> assertThat(((ProcessRunner.TimedOut) e).timeout()).isEqualTo(Duration.ofMillis(500)));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));

        String[] written = Files.readString(pids).trim().split(" ");
        long shell = Long.parseLong(written[0]);
        long grandchild = Long.parseLong(written[1]);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(ProcessHandle.of(shell).filter(ProcessHandle::isAlive)).as("the child").isEmpty();
            assertThat(ProcessHandle.of(grandchild).filter(ProcessHandle::isAlive)).as("its descendant").isEmpty();
        });
    }

    @Test
    void aTimeoutQuotesWhatTheChildHadSaidOnStderr() {
        assertThatThrownBy(() -> runner.run(List.of("sh", "-c", "echo stuck on device >&2; exec sleep 300"), Duration.ofMillis(500)))
                .isInstanceOf(ProcessRunner.TimedOut.class)
                .hasMessage("sh did not finish within 500ms; it was killed: stuck on device");
    }

    @Test
    void aMissingProgramFailsToStart() {
        assertThatThrownBy(() -> runner.run(List.of("/nonexistent/program", "arg"), Duration.ofSeconds(20)))
                .isInstanceOf(ProcessRunner.StartFailed.class)
                .hasMessageStartingWith("/nonexistent/program could not be started");
    }

    @Test
    void anInterruptedWaitKillsTheChildAndKeepsTheFlag() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flagKept = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                runner.run(List.of("sleep", "300"), Duration.ofSeconds(300));
            } catch (RuntimeException e) {
                thrown.set(e);
                flagKept.set(Thread.currentThread().isInterrupted());
            }
        });
        waiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.current().children().anyMatch(ProcessRunnerTest::isSleep));
        waiter.interrupt();
        waiter.join(Duration.ofSeconds(20).toMillis());

        assertThat(thrown.get()).isInstanceOf(ProcessRunner.Interrupted.class).hasMessage("sleep was interrupted; it was killed");
        assertThat(flagKept.get()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.current().children().noneMatch(ProcessRunnerTest::isSleep));
    }

    @Test
    void runOrFailReturnsStdoutOrNamesThePurposeTheExitAndStderr() {
        assertThat(runner.runOrFail("greeting", List.of("echo", "hi"), Duration.ofSeconds(20))).isEqualTo("hi\n");

        assertThatThrownBy(() -> runner.runOrFail("copying a into b", List.of("sh", "-c", "echo no space left >&2; exit 1"), Duration.ofSeconds(20)))
                .isInstanceOf(ProcessRunner.Failed.class)
                .hasMessage("copying a into b failed: sh exited 1: no space left")
                .satisfies(e -> assertThat(((ProcessRunner.Failed) e).exitCode()).isEqualTo(1));
    }

    @Test
    void runOrFailReportsTimeoutsAndStartFailuresUnderThePurpose() {
        assertThatThrownBy(() -> runner.runOrFail("copying a into b", List.of("sleep", "300"), Duration.ofMillis(300)))
                .isInstanceOf(ProcessRunner.Failed.class)
                .hasMessage("copying a into b failed: sleep did not finish within 300ms; it was killed")
                .hasCauseInstanceOf(ProcessRunner.TimedOut.class);
        assertThatThrownBy(() -> runner.runOrFail("copying a into b", List.of("/nonexistent/cp"), Duration.ofSeconds(20)))
                .isInstanceOf(ProcessRunner.Failed.class)
                .hasMessageStartingWith("copying a into b failed: /nonexistent/cp could not be started")
                .hasCauseInstanceOf(ProcessRunner.StartFailed.class);
    }

    @Test
    void aBoundedRunStartsItsChildOnlyOnceASlotIsFreeAndGivesItBack(@TempDir Path tmp) throws Exception {
        Semaphore slots = new Semaphore(0);
        ProcessRunner bounded = new ProcessRunner(slots);
        Path started = tmp.resolve("started");
        AtomicReference<ProcessRunner.Result> result = new AtomicReference<>();
        Thread caller = new Thread(() -> result.set(bounded.run(List.of("sh", "-c", "touch " + started), Duration.ofSeconds(30))));
        caller.start();

        await().atMost(Duration.ofSeconds(10)).until(slots::hasQueuedThreads);
        Thread.sleep(300);
        assertThat(started).doesNotExist();

        slots.release();
        caller.join(30_000);
        assertThat(result.get().succeeded()).isTrue();
        assertThat(started).exists();
        assertThat(slots.availablePermits()).isEqualTo(1);
    }

    @Test
    void limitsReadAsPeopleWriteThem() {
        assertThat(ProcessRunner.format(Duration.ofHours(6))).isEqualTo("6h");
        assertThat(ProcessRunner.format(Duration.ofMinutes(5))).isEqualTo("5min");
        assertThat(ProcessRunner.format(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(ProcessRunner.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    private static boolean isSleep(ProcessHandle p) {
        return p.info().command().map(c -> c.endsWith("/sleep")).orElse(false);
    }
}
