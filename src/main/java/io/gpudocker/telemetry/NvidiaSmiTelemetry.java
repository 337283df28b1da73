package io.gpudocker.telemetry;

import io.gpudocker.common.ProcessRunner;
import io.gpudocker.resource.gpu.GpuProcess;
import io.gpudocker.resource.gpu.GpuSample;
import io.gpudocker.resource.gpu.GpuTelemetryParser;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks nvidia-smi for each GPU's figures and for the processes using them. A failure (no driver, a hung one, a
 * malformed answer) is one WARN line when it starts and one INFO line when it ends, and a reading without figures.
 */
final class NvidiaSmiTelemetry {
    /** What one pass read: every GPU's figures and every compute process; {@code failure} says why a part is missing. */
    record Reading(List<GpuSample> gpus, List<GpuProcess> processes, String failure) {}

    static final String FORMAT = "--format=csv,noheader,nounits";
    static final String GPU_QUERY = "--query-gpu=" + String.join(",", GpuTelemetryParser.SAMPLE_FIELDS);
    static final String APPS_QUERY = "--query-compute-apps=" + String.join(",", GpuTelemetryParser.PROCESS_FIELDS);
    private static final Logger log = LoggerFactory.getLogger(NvidiaSmiTelemetry.class);

    private final ProcessRunner runner = new ProcessRunner();
    private final String command;
    private final Duration limit;
    private volatile String lastFailure;

    NvidiaSmiTelemetry(String command, Duration limit) {
        this.command = command;
        this.limit = limit;
    }

    Reading read() {
        StringBuilder failure = new StringBuilder();
        List<GpuSample> gpus = GpuTelemetryParser.samples(GpuTelemetryParser.SAMPLE_FIELDS, run(GPU_QUERY, failure));
        // a driver that gave no GPU is not asked for processes: one failure, one line
        List<GpuProcess> processes = gpus.isEmpty() && !failure.isEmpty() ? List.of()
                : GpuTelemetryParser.processes(GpuTelemetryParser.PROCESS_FIELDS, run(APPS_QUERY, failure));
        String failed = failure.isEmpty() ? null : failure.toString();
        if (failed != null && !failed.equals(lastFailure)) {
            log.warn("GPU telemetry: '{}' {}", command, failed.length() > 400 ? failed.substring(0, 400) + "..." : failed);
        } else if (failed == null && lastFailure != null) {
            log.info("GPU telemetry: '{}' answers again", command);
        }
        lastFailure = failed;
        return new Reading(gpus, processes, failed);
    }

    /**
     * Its answer, even when it exited non-zero: with one GPU fallen off the bus nvidia-smi still prints the others'
     * lines and fails, and those lines are kept; {@code failure} collects why a query did not succeed.
     */
    private String run(String query, StringBuilder failure) {
        try {
            ProcessRunner.Result r = runner.run(List.of(command, query, FORMAT), limit);
            if (!r.succeeded()) {
                failure.append(failure.isEmpty() ? "" : "; ").append(query).append(" exited ").append(r.exitCode()).append(": ")
                        .append((r.stderr().strip() + " " + r.stdout().strip()).strip());
            }
            return r.stdout();
        } catch (RuntimeException e) {
            failure.append(failure.isEmpty() ? "" : "; ").append(e.getMessage());
            return "";
        }
    }
}
