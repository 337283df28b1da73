package io.gpudocker.resource.gpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads nvidia-smi's CSV answers to {@code --query-gpu} and {@code --query-compute-apps}, with or without
 * header and units. A figure the driver cannot give ({@code [N/A]}, {@code [Not Supported]}, {@code ERR!},
 * {@code [GPU requires reset]}, {@code [Unknown Error]}) is null rather than a failure of the whole reading: one
 * GPU that fell off the bus must not blind the others.
 */
public final class GpuTelemetryParser {
    /** The fields a sample asks for, in this order. */
    public static final List<String> SAMPLE_FIELDS = List.of("uuid", "utilization.gpu", "memory.used", "memory.total", "temperature.gpu", "power.draw");
    /** The fields a process listing asks for, in this order. */
    public static final List<String> PROCESS_FIELDS = List.of("pid", "gpu_uuid", "used_memory", "process_name");

    private static final Pattern DOCKER_CGROUP = Pattern.compile("(?:/docker/|/docker-|/libpod-)([0-9a-f]{64})(?:\\.scope)?(?:/|$)");

    private GpuTelemetryParser() {}

    /** One reading per GPU whose line names a GPU UUID. */
    public static List<GpuSample> samples(List<String> fields, String csv) {
        List<GpuSample> out = new ArrayList<>();
        for (Map<String, String> row : rows(fields, csv)) {
            String uuid = row.get("uuid");
            if (uuid == null || !(uuid.startsWith("GPU-") || uuid.startsWith("MIG-"))) {
                continue;
            }
            out.add(new GpuSample(uuid, integer(row.get("utilization.gpu")), longNumber(row.get("memory.used")),
                    longNumber(row.get("memory.total")), integer(row.get("temperature.gpu")), decimal(row.get("power.draw"))));
        }
        return out;
    }

    /** The processes using a GPU; a line without a pid or a GPU UUID is skipped. */
    public static List<GpuProcess> processes(List<String> fields, String csv) {
        List<GpuProcess> out = new ArrayList<>();
        for (Map<String, String> row : rows(fields, csv)) {
            Long pid = longNumber(row.get("pid"));
            String uuid = row.get("gpu_uuid");
            if (pid == null || uuid == null || !(uuid.startsWith("GPU-") || uuid.startsWith("MIG-"))) {
                continue;
            }
            out.add(new GpuProcess(pid, uuid, longNumber(row.get("used_memory")), row.get("process_name")));
        }
        return out;
    }

    /**
     * The Docker container a process runs in, from its {@code /proc/<pid>/cgroup}: cgroup v1
     * ({@code .../docker/<id>}) and v2 with either cgroup driver ({@code /docker/<id>} or {@code docker-<id>.scope}).
     */
    public static Optional<String> containerOf(String procCgroup) {
        for (String line : procCgroup.split("\\R")) {
            Matcher m = DOCKER_CGROUP.matcher(line);
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    /** Each data line as field to value; a header line, or a line with fewer values than fields, is skipped. */
    private static List<Map<String, String>> rows(List<String> fields, String csv) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : csv.split("\\R")) {
            String[] values = line.split(",", -1);
            if (line.isBlank() || values.length < fields.size() || values[0].trim().equals(fields.get(0))) {
                continue;
            }
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < fields.size(); i++) {
                row.put(fields.get(i), clean(values[i]));
            }
            rows.add(row);
        }
        return rows;
    }

    /** The value without its unit; null where nvidia-smi says it has none. */
    private static String clean(String raw) {
        String s = raw.trim();
        if (s.isEmpty() || s.startsWith("[") || s.equals("ERR!") || s.equals("N/A")) {
            return null;
        }
        int unit = s.lastIndexOf(' ');
        if (unit > 0 && s.substring(unit + 1).matches("MiB|%|W|C")) {
            s = s.substring(0, unit);
        }
        return s;
    }

    private static Integer integer(String s) {
        Double d = decimal(s);
        return d == null ? null : (int) Math.round(d);
    }

    private static Long longNumber(String s) {
        Double d = decimal(s);
        return d == null ? null : Math.round(d);
    }

    private static Double decimal(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Double.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
