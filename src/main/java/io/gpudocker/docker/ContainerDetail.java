package io.gpudocker.docker;

import java.time.Instant;
import java.util.Map;

/**
 * One container as Docker's inspect shows it: what a list shows, and where its root filesystem lives and how
 * it last ended. Built by {@link InspectParser}; {@link #of} and the {@code with...} methods build one by name.
 *
 * @param graphDriver the storage driver of its root filesystem; null where not known
 * @param upperDir    overlay2's directory of the container's own changes; null on another driver or where not known
 * @param exitCode    the main process's exit code once it has exited; null while it runs or before it first ran
 * @param finishedAt  when it last stopped; null where it never stopped
 * @param configs     how Docker holds its configuration; null where not inspected
 */
public record ContainerDetail(ContainerSummary summary, String graphDriver, String upperDir, Integer exitCode, Instant finishedAt,
                              DockerConfigs configs) {

    public ContainerDetail(ContainerSummary summary, String graphDriver, String upperDir, Integer exitCode, Instant finishedAt) {
        this(summary, graphDriver, upperDir, exitCode, finishedAt, null);
    }

    /** A container of which no more than the list's summary is known. */
    public static ContainerDetail of(ContainerSummary summary) {
        return new ContainerDetail(summary, null, null, null, null);
    }

    public ContainerDetail withStorage(String graphDriver, String upperDir) {
        return new ContainerDetail(summary, graphDriver, upperDir, exitCode, finishedAt, configs);
    }

    public ContainerDetail withExit(Integer exitCode, Instant finishedAt) {
        return new ContainerDetail(summary, graphDriver, upperDir, exitCode, finishedAt, configs);
    }

    public String id() { return summary.id(); }

    public String name() { return summary.name(); }

    public String status() { return summary.status(); }

    public boolean running() { return summary.running(); }

    public boolean paused() { return summary.paused(); }

    public Map<String, String> labels() { return summary.labels(); }

    public String label(String key) { return summary.label(key); }
}
