package io.gpudocker.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * What the host's {@code /proc} says about a container's processes, read by host PID (Docker's
 * {@code State.Pid}). Every answer is empty where the file cannot be read (a process that exited, a kernel
 * without the file, a service that does not share the host's PID namespace), so callers can fall back to
 * what is always safe.
 */
public class HostProcesses {
    private final Path proc;

    /** @param proc the host's proc filesystem, normally {@code /proc} */
    public HostProcesses(Path proc) {
        this.proc = proc;
    }

    /**
     * Which signals a process catches (has a handler for), ignores, and blocks (its main thread), from its
     * status file. A blocked signal stays pending until unblocked or taken with sigwait, as tini does.
     */
    public record Dispositions(long caught, long ignored, long blocked) {
        public boolean catches(int signal) { return (caught & bit(signal)) != 0; }

        public boolean ignores(int signal) { return (ignored & bit(signal)) != 0; }

        public boolean blocks(int signal) { return (blocked & bit(signal)) != 0; }

        private static long bit(int signal) { return 1L << (signal - 1); }
    }

    public Optional<Dispositions> dispositions(long pid) {
        Long caught = null;
        Long ignored = null;
        Long blocked = null;
        try {
            for (String line : lines(pid, "status")) {
                if (line.startsWith("SigCgt:")) {
                    caught = mask(line);
                } else if (line.startsWith("SigIgn:")) {
                    ignored = mask(line);
                } else if (line.startsWith("SigBlk:")) {
                    blocked = mask(line);
                }
            }
        } catch (NumberFormatException malformed) {
            return Optional.empty();
        }
        return caught == null || ignored == null || blocked == null ? Optional.empty() : Optional.of(new Dispositions(caught, ignored, blocked));
    }

    private static long mask(String statusLine) {
        return Long.parseUnsignedLong(statusLine.substring(statusLine.indexOf(':') + 1).trim(), 16);
    }

    /**
     * Whether the process is one of this container's: its cgroup path names the container id (cgroup v1 and
     * v2, cgroupfs and systemd drivers alike). A PID read from Docker may have exited and been reused, or
     * belong to another PID namespace than the one this service sees.
     */
    public boolean belongsTo(long pid, String containerId) {
        return containerId != null && !containerId.isEmpty() && lines(pid, "cgroup").stream().anyMatch(l -> l.contains(containerId));
    }

    /** The process's direct children; empty when the kernel does not list them. */
    public Optional<List<Long>> children(long pid) {
        Path tasks = proc.resolve(Long.toString(pid)).resolve("task");
        List<Long> children = new ArrayList<>();
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : threads.toList()) {
                String text = Files.readString(thread.resolve("children")).trim();
                if (!text.isEmpty()) {
                    for (String child : text.split("\\s+")) {
                        children.add(Long.parseLong(child));
                    }
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
        return Optional.of(children);
    }

    /** When the process started, in clock ticks since boot (field 22 of its stat file). */
    public OptionalLong startTime(long pid) {
        List<String> stat = lines(pid, "stat");
        if (stat.isEmpty()) {
            return OptionalLong.empty();
        }
        // the command name (field 2) may hold spaces and parentheses: count fields after its closing one
        String line = stat.get(0);
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        try {
            return OptionalLong.of(Long.parseLong(fields[19]));
        } catch (RuntimeException malformed) {
            return OptionalLong.empty();
        }
    }

    private List<String> lines(long pid, String file) {
        try {
            return Files.readAllLines(proc.resolve(Long.toString(pid)).resolve(file));
        } catch (IOException | RuntimeException unreadable) {
            return List.of();
        }
    }
}
