package io.gpudocker.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The identity of one deployment: the id stamped on every container and volume it creates. {@code adopted}
 * lists the ids of objects a recovery rebuilt records for, which carry the id they were made under.
 */
public record Cluster(String id, List<String> adopted, Instant createTime) {

    public Cluster {
        adopted = adopted == null ? List.of() : List.copyOf(adopted);
    }

    public static Cluster fresh() {
        return new Cluster(UUID.randomUUID().toString(), List.of(), Instant.now());
    }

    /** Whether an object labelled with {@code labelId} was made by this deployment (or adopted by a recovery). */
    public boolean accepts(String labelId) {
        return id.equals(labelId) || adopted.contains(labelId);
    }

    public Cluster adopting(List<String> ids) {
        List<String> all = new ArrayList<>(adopted);
        ids.stream().filter(i -> i != null && !accepts(i) && !all.contains(i)).forEach(all::add);
        return new Cluster(id, all, createTime);
    }
}
