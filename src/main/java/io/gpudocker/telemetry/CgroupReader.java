package io.gpudocker.telemetry;

import io.gpudocker.resource.gpu.GpuTelemetryParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads a Docker container's CPU time and memory from its cgroup, and which container a host process runs in.
 * Both cgroup layouts are read: v2 (one tree: {@code cpu.stat}, {@code memory.current}) and v1 (controllers apart:
 * {@code cpuacct.usage}, {@code memory.usage_in_bytes}), with Docker's cgroupfs driver ({@code docker/<id>}) or the
 * systemd one ({@code system.slice/docker-<id>.scope}). Memory is counted as {@code docker stats} counts it: without
 * the inactive page cache the kernel can drop.
 */
final class CgroupReader {
    /** A container's cumulative CPU time and current memory; either null where unread. */
    record Usage(Long cpuNanos, Long memoryBytes) {}

    private final Path root;
    private final Path proc;

    CgroupReader(Path cgroupRoot, Path procRoot) {
        this.root = cgroupRoot;
        this.proc = procRoot;
    }

    /** The container whose cgroup holds process {@code pid}; empty for a host process or one gone already. */
    Optional<String> containerOf(long pid) {
        return read(proc.resolve(Long.toString(pid)).resolve("cgroup")).flatMap(GpuTelemetryParser::containerOf);
    }

    Usage usage(String containerId) {
        for (String dir : List.of("docker/" + containerId, "system.slice/docker-" + containerId + ".scope")) {
            Path v2 = root.resolve(dir);
            if (Files.isRegularFile(v2.resolve("cpu.stat"))) {
                Long cpu = read(v2.resolve("cpu.stat")).map(s -> statValue(s, "usage_usec")).map(us -> us * 1000).orElse(null);
                Long mem = memory(v2.resolve("memory.current"), v2.resolve("memory.stat"), "inactive_file");
                return new Usage(cpu, mem);
            }
        }
        for (String dir : List.of("docker/" + containerId, "system.slice/docker-" + containerId + ".scope")) {
            Path cpuDir = firstDir(List.of(root.resolve("cpuacct").resolve(dir), root.resolve("cpu,cpuacct").resolve(dir)));
            Path memDir = root.resolve("memory").resolve(dir);
            if (cpuDir != null || Files.isDirectory(memDir)) {
                Long cpu = cpuDir == null ? null : read(cpuDir.resolve("cpuacct.usage")).map(CgroupReader::number).orElse(null);
                Long mem = memory(memDir.resolve("memory.usage_in_bytes"), memDir.resolve("memory.stat"), "total_inactive_file");
                return new Usage(cpu, mem);
            }
        }
        return new Usage(null, null);
    }

    private Long memory(Path usage, Path stat, String inactiveKey) {
        Long used = read(usage).map(CgroupReader::number).orElse(null);
        if (used == null) {
            return null;
        }
        Long inactive = read(stat).map(s -> statValue(s, inactiveKey)).orElse(null);
        return inactive == null || inactive > used ? used : used - inactive;
    }

    private static Path firstDir(List<Path> candidates) {
        return candidates.stream().filter(Files::isDirectory).findFirst().orElse(null);
    }

    /** The value of {@code key} in a flat-keyed cgroup file ({@code key value} per line); null when absent. */
    static Long statValue(String text, String key) {
        for (String line : text.split("\\R")) {
            int space = line.indexOf(' ');
            if (space > 0 && line.substring(0, space).equals(key)) {
                return number(line.substring(space + 1));
            }
        }
        return null;
    }

    private static Long number(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            // the container or process went away between listing and reading: no figure this pass
            return Optional.empty();
        }
    }
}
