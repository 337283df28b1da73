package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which stops keep the grace period, on a fixture {@code /proc} tree with the status, stat, cgroup and
 * children files as Linux writes them (masks taken from the test rig: an interactive busybox shell ignores
 * SIGTERM, {@code sh -c 'trap ... TERM'} catches it, {@code sleep} neither).
 */
class StopGraceTest {
    private static final String ID = "052d183e66b9abe6d17819316403cd2c9bcdc849b519dc9214109405060b0f3d";
    private static final String NEITHER = "0000000000000000";
    private static final String TERM_CAUGHT = "0000000000014002";
    private static final String TERM_IGNORED = "0000000000284004";

    @TempDir
    Path proc;

    private StopGrace grace() {
        return new StopGrace(new HostProcesses(proc));
    }

    @Test
    void pid1WithoutAHandlerIsKilledAtOnce() throws IOException {
        process(100, "sleep", NEITHER, NEITHER, 5000);

        StopGrace.Decision d = grace().decide(new StopGrace.Target(ID, 100, false, null));

        assertThat(d.grace()).isFalse();
        assertThat(d.reason()).isEqualTo("PID 1 has no SIGTERM handler");
    }

    @Test
    void pid1ThatHandlesSigtermGetsItsGrace() throws IOException {
        process(100, "sh", "0000000000000004", TERM_CAUGHT, 5000);

        assertThat(grace().decide(new StopGrace.Target(ID, 100, false, "SIGTERM")).grace()).isTrue();
    }

    @Test
    void pid1ThatBlocksSigtermToWaitForItGetsItsGrace() throws IOException {
        // as tini does when it is PID 1: no handler, the signal blocked and taken with sigtimedwait
        process(100, "tini", NEITHER, NEITHER, 5000);
        Files.writeString(proc.resolve("100/status"), status(NEITHER, NEITHER, "fffffffe7ffbfeff"));

        StopGrace.Decision d = grace().decide(new StopGrace.Target(ID, 100, false, null));

        assertThat(d.grace()).isTrue();
        assertThat(d.reason()).isEqualTo("PID 1 waits for SIGTERM");
    }

    @Test
    void underInitACommandThatDiesOfSigtermKeepsTheOrdinaryStop() throws IOException {
        process(100, "docker-init", "0000000000300000", NEITHER, 5000);
        process(101, "sleep", NEITHER, NEITHER, 5001);
        children(100, "101");

        StopGrace.Decision d = grace().decide(new StopGrace.Target(ID, 100, true, null));

        assertThat(d.grace()).as("SIGTERM ends it at once, so the grace is never waited for").isTrue();
        assertThat(d.reason()).isEqualTo("the command under its init ends on SIGTERM");
    }

    @Test
    void underInitTheCommandDecidesNotTheInit() throws IOException {
        // tini waits for signals with sigtimedwait: it catches none, so it cannot be the one asked
        process(100, "docker-init", "0000000000300000", NEITHER, 5000);
        process(101, "sh", TERM_IGNORED, "0000000008010002", 5001);
        children(100, "101");

        StopGrace.Decision d = grace().decide(new StopGrace.Target(ID, 100, true, ""));

        assertThat(d.grace()).isFalse();
        assertThat(d.reason()).isEqualTo("the command under its init ignores SIGTERM");
    }

    @Test
    void underInitTheOldestChildIsTheCommandNotAnAdoptedOrphan() throws IOException {
        process(100, "docker-init", "0000000000300000", NEITHER, 5000);
        process(101, "python3 (train)", NEITHER, TERM_CAUGHT, 5001);
        // a daemon the command started and left: adopted by the init, started later, and never sent SIGTERM by it
        process(90, "sshd", NEITHER, TERM_CAUGHT, 5100);
        process(102, "sleep", NEITHER, NEITHER, 5200);
        children(100, "90 102 101");
        Files.writeString(proc.resolve("101/status"), status(NEITHER, TERM_CAUGHT, NEITHER));

        assertThat(grace().decide(new StopGrace.Target(ID, 100, true, null)).grace()).as("the command handles SIGTERM").isTrue();

        Files.writeString(proc.resolve("101/status"), status(TERM_IGNORED, NEITHER, NEITHER));
        assertThat(grace().decide(new StopGrace.Target(ID, 100, true, null)).grace()).as("the command ignores it; the orphan is never asked").isFalse();
    }

    @Test
    void whatCannotBeSeenOrReadKeepsTheGrace() throws IOException {
        process(100, "sleep", NEITHER, NEITHER, 5000);

        assertThat(grace().decide(new StopGrace.Target("another-container", 100, false, null)).grace())
                .as("a PID that is not this container's (reused, or another PID namespace)").isTrue();
        assertThat(grace().decide(new StopGrace.Target(ID, 200, false, null)).grace()).as("no such process").isTrue();
        assertThat(grace().decide(new StopGrace.Target(ID, 100, true, null)).grace()).as("an init whose children are not listed").isTrue();
        assertThat(grace().decide(new StopGrace.Target(ID, 0, false, null)).grace()).as("not running").isTrue();
        Files.writeString(proc.resolve("100/status"), "Name:\tsleep\nSigCgt:\tzz\n");
        assertThat(grace().decide(new StopGrace.Target(ID, 100, false, null)).grace()).as("a status file that does not parse").isTrue();
    }

    @Test
    void anotherStopSignalIsTrustedToBeHandled() throws IOException {
        process(100, "systemd", NEITHER, NEITHER, 5000);

        StopGrace.Decision d = grace().decide(new StopGrace.Target(ID, 100, false, "SIGRTMIN+3"));

        assertThat(d.grace()).isTrue();
        assertThat(d.reason()).contains("SIGRTMIN+3");
        assertThat(grace().decide(new StopGrace.Target(ID, 100, false, "15")).grace()).as("SIGTERM by number").isFalse();
        assertThat(grace().decide(new StopGrace.Target(ID, 100, false, "term")).grace()).as("SIGTERM by short name").isFalse();
    }

    private void process(long pid, String comm, String ignored, String caught, long startTicks) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("children"), "");
        Path p = proc.resolve(Long.toString(pid));
        Files.writeString(p.resolve("status"), status(ignored, caught, NEITHER));
        Files.writeString(p.resolve("stat"), pid + " (" + comm + ") S 1 " + pid + " " + pid + " 34816 " + pid
                + " 4194560 95 0 0 0 0 0 0 0 20 0 1 0 " + startTicks + " 1527808 64 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        Files.writeString(p.resolve("cgroup"), "9:name=systemd:/docker/" + ID + "\n8:pids:/docker/" + ID + "\n0::/docker/" + ID + "\n");
    }

    private void children(long pid, String list) throws IOException {
        Files.writeString(proc.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(pid)).resolve("children"), list + " ");
    }

    private static String status(String ignored, String caught, String blocked) {
        return "Name:\tx\nState:\tS (sleeping)\nSigQ:\t0/94090\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
                + "SigBlk:\t" + blocked + "\nSigIgn:\t" + ignored + "\nSigCgt:\t" + caught + "\n";
    }
}
