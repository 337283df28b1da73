package io.gpudocker.docker;

import java.util.Map;

/** What the service reads back about one container. */
public record ContainerView(
        String id,
        String name,
        String status,
        boolean running,
        Map<String, String> labels,
        String graphDriver,
        String upperDir) {

    public String label(String key) {
        return labels == null ? null : labels.get(key);
    }
}
