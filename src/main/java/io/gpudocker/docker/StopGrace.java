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
 * to the container's PID 1 and kills everything after the grace period. That wait only helps if the process
 * that receives the signal handles it: PID 1 of a PID namespace dies of nothing but SIGKILL unless it has a
 * handler, so {@code sleep infinity}, {@code tail -f /dev/null} or a bare shell as PID 1 make every stop take
 * the whole grace period for nothing. Under Docker's init (tini), the signal goes on to tini's child: a child
 * without a handler dies of it at once, but one that ignores it (an interactive shell does) waits as long.
 * So the grace is given exactly when the receiving process has a handler for the signal; otherwise the stop
 * kills at once, which ends the container no differently than the grace period would have, only sooner.
 * Where the process cannot be seen or read, the grace is always given.
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
        long receiver = target.pid();
        String who = "PID 1";
        if (target.init()) {
            Optional<Long> child = firstChild(target.pid());
            if (child.isEmpty()) {
                return new Decision(true, "the child of its init cannot be read");
            }
            receiver = child.get();
            who = "the command under its init";
        }
        Optional<HostProcesses.Dispositions> d = processes.dispositions(receiver);
        if (d.isEmpty()) {
            return new Decision(true, who + " cannot be read");
        }
        if (d.get().catches(SIGTERM)) {
            return new Decision(true, who + " handles SIGTERM");
        }
        return new Decision(false, who + (d.get().ignores(SIGTERM) ? " ignores SIGTERM" : " has no SIGTERM handler"));
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
