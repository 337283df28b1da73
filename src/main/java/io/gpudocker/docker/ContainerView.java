package io.gpudocker.docker;

import java.time.Instant;
import java.util.Map;

/**
 * What the service reads back about one container.
 *
 * @param running    its processes run (false while Docker has it paused: see {@code paused})
 * @param paused     frozen by Docker's pause (the cgroup freezer)
 * @param exitCode   the main process's exit code once it has exited; null while it runs or where not read (a list)
 * @param finishedAt when it last stopped; null where not read (a list) or never stopped
 */
public record ContainerView(
        String id,
        String name,
        String status,
        boolean running,
        Map<String, String> labels,
        String graphDriver,
        String upperDir,
        boolean paused,
        Integer exitCode,
        Instant finishedAt) {

    public ContainerView(String id, String name, String status, boolean running, Map<String, String> labels, String graphDriver, String upperDir) {
        this(id, name, status, running, labels, graphDriver, upperDir, false, null, null);
    }

    public String label(String key) {
        return labels == null ? null : labels.get(key);
    }
}
