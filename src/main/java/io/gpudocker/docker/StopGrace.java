package io.gpudocker.docker;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether stopping a container should wait out the grace period. {@code docker stop} sends the stop signal
 * to the container's PID 1 and kills everything after the grace period. That wait helps only a process that
 * takes the signal. PID 1 of a PID namespace gets no signal but SIGKILL unless it has a handler for it (or
 * blocks it to wait for it, as tini does), so {@code sleep infinity}, {@code tail -f /dev/null} or a bare
 * shell as PID 1 make every stop take the whole grace period for nothing. Under Docker's init (tini) the
 * signal goes on to the command tini started, an ordinary process: without a handler it dies of it at once,
 * but if it ignores it (an interactive shell does) tini waits just as long. In those two cases (PID 1 without
 * a handler, a command under the init that ignores the signal) the stop kills at once, which ends the container
 * no differently than the grace period would have, only sooner; in every other case, and wherever the process
 * cannot be seen or read, the grace is given.
 */
public class StopGrace {
    private static final Logger log = LoggerFactory.getLogger(StopGrace.class);
    private static final int SIGTERM = 15;
    private static final Set<String> TERM_NAMES = Set.of("", "SIGTERM", "TERM", "15");

    private final HostProcesses processes;
    private final AtomicBoolean warnedUnseen = new AtomicBoolean();

    public StopGrace(HostProcesses processes) {
        this.processes = processes;
    }

    /** What Docker's inspect says of a running container that matters here. */
    public record Target(String containerId, long pid, boolean init, String stopSignal) {}

    /** The answer, with why, for the log. */
    public record Decision(boolean grace, String reason) {}

    public Decision decide(Target target) {
        if (target.pid() <= 0) {
            return new Decision(true, "not running");
        }
        String signal = target.stopSignal() == null ? "" : target.stopSignal().trim().toUpperCase(Locale.ROOT);
        if (!TERM_NAMES.contains(signal)) {
            // only SIGTERM is looked up; an image's own stop signal (systemd's SIGRTMIN+3) is trusted to be handled
            return new Decision(true, "its stop signal is " + target.stopSignal());
        }
        if (!processes.belongsTo(target.pid(), target.containerId())) {
            if (warnedUnseen.compareAndSet(false, true)) {
                log.warn("cannot see the processes of container {} (host PID {}) in /proc: this service does not share the host's PID "
                        + "namespace; stops give every container the full grace period, even where PID 1 ignores SIGTERM", target.containerId(), target.pid());
            }
            return new Decision(true, "its processes are not visible here");
        }
        if (!target.init()) {
            Optional<HostProcesses.Dispositions> d = processes.dispositions(target.pid());
            if (d.isEmpty()) {
                return new Decision(true, "PID 1 cannot be read");
            }
            if (d.get().catches(SIGTERM) || d.get().blocks(SIGTERM)) {
                return new Decision(true, "PID 1 " + (d.get().catches(SIGTERM) ? "handles" : "waits for") + " SIGTERM");
            }
            return new Decision(false, "PID 1 has no SIGTERM handler");
        }
        Optional<Long> command = firstChild(target.pid());
        Optional<HostProcesses.Dispositions> d = command.flatMap(processes::dispositions);
        if (d.isEmpty()) {
            return new Decision(true, "the command under its init cannot be read");
        }
        if (d.get().ignores(SIGTERM) && !d.get().blocks(SIGTERM)) {
            return new Decision(false, "the command under its init ignores SIGTERM");
        }
        // one that dies of SIGTERM ends the stop at once: the grace is given but not waited for
        return new Decision(true, "the command under its init " + (d.get().catches(SIGTERM) ? "handles SIGTERM"
                : d.get().blocks(SIGTERM) ? "waits for SIGTERM" : "ends on SIGTERM"));
    }

    /**
     * The process the init started: the oldest of its children. Orphans that the init adopted are its
     * children too, but every one of them descends from the command and started after it.
     */
    private Optional<Long> firstChild(long initPid) {
        Optional<List<Long>> children = processes.children(initPid);
        if (children.isEmpty() || children.get().isEmpty()) {
            return Optional.empty();
        }
        return children.get().stream()
                .filter(c -> processes.startTime(c).isPresent())
                .min(Comparator.<Long>comparingLong(c -> processes.startTime(c).getAsLong()).thenComparingLong(c -> c));
    }
}
