package io.gpudocker.docker;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An image on the host: its id, the names it is tagged with, when it was built, its size and labels. */
public record ImageSummary(String id, List<String> tags, Instant created, long sizeBytes, Map<String, String> labels) {
    public ImageSummary {
        tags = tags == null ? List.of() : List.copyOf(tags);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
