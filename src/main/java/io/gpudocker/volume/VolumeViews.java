package io.gpudocker.volume;

import java.time.Instant;
import java.util.List;

/**
 * Response bodies. {@code name} in {@link Created} is the Docker volume to bind (as in the original);
 * {@code sizeEnforced} says whether the kernel holds the volume to {@code size} or it is only declared.
 */
public final class VolumeViews {
    private VolumeViews() {}

    public record Created(String name, String volumeName, long version, String size, Long sizeBytes, boolean sizeEnforced) {}

    /**
     * A resize: the new version, the bytes copied, how ({@code copyMethod}: {@code reflink} where the filesystem
     * clones files, else {@code bytes}) and in how long, and a warning when the copy raced a running container.
     */
    public record Resized(String name, String volumeName, long version, String size, Long sizeBytes, boolean sizeEnforced,
                          String previous, long bytesInUse, long copyMillis, String copyMethod, String warning) {}

    public record Detail(String name, long version, String dockerName, String size, Long sizeBytes, boolean sizeEnforced,
                         Instant createTime, Instant updateTime, String mountpoint, boolean present, List<String> usedBy) {}

    public record Summary(String name, long version, String dockerName, String size, Long sizeBytes, boolean sizeEnforced) {}

    public record HistoryItem(long version, Instant createTime, String size, Long sizeBytes, boolean sizeEnforced,
                              String dockerName, String cause, boolean present) {}

    public record History(List<HistoryItem> history) {}
}
