package io.gpudocker.docker;

import java.util.Map;

/**
 * One container as a list of containers shows it.
 *
 * @param running its processes run (false while Docker has it paused: see {@code paused})
 * @param paused  frozen by Docker's pause (the cgroup freezer)
 */
public record ContainerSummary(String id, String name, String status, boolean running, boolean paused, Map<String, String> labels) {

    public ContainerSummary {
        labels = labels == null ? Map.of() : labels;
    }

    public String label(String key) {
        return labels.get(key);
    }

    /** The same container once thawed: Docker shows a container it unpaused as running. */
    public ContainerSummary thawed() {
        return new ContainerSummary(id, name, "running", true, false, labels);
    }
}
