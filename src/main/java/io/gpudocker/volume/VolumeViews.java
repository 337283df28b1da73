package io.gpudocker.volume;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpudocker.api.OriginalTime;
import io.gpudocker.common.ProgressBoard;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Response bodies. {@code name} in {@link Created} is the Docker volume to bind (as in the original);
 * {@code sizeEnforced} says whether the kernel holds the volume to {@code size} or it is only declared.
 * {@code Info} and history {@code status} are the original project's shape of a version.
 */
public final class VolumeViews {
    private VolumeViews() {}

    /** Where a volume's resize in flight reports its progress. */
    public static String progressKey(String name) {
        return "volume/" + name;
    }

    @Schema(name = "VolumeCreated")
    public record Created(@Schema(example = "data-1") String name, @Schema(example = "data") String volumeName, @Schema(example = "1") long version,
                          @Schema(example = "20GB") String size, @Schema(example = "21474836480") Long sizeBytes, boolean sizeEnforced) {}

    /**
     * A resize: the new version, the bytes copied, how ({@code copyMethod}: {@code reflink} where the filesystem
     * clones files, else {@code bytes}) and in how long, the containers frozen for the copy, and a warning when the
     * copy raced a running container.
     */
    @Schema(name = "VolumeResized")
    public record Resized(@Schema(example = "data-2") String name, @Schema(example = "data") String volumeName, @Schema(example = "2") long version,
                          @Schema(example = "50GB") String size, @Schema(example = "53687091200") Long sizeBytes, boolean sizeEnforced,
                          @Schema(example = "data-1") String previous, long bytesInUse, long copyMillis,
                          @Schema(example = "reflink", allowableValues = {"reflink", "bytes"}) String copyMethod,
                          @Schema(description = "the running containers that mount the volume, paused (cgroup freezer) during the copy and resumed after", example = "[\"foo-1\"]") List<String> frozen,
                          @Schema(description = "set when the copy raced a running container (force=true without freezing)", nullable = true) String warning) {}

    @Schema(name = "VolumeDetail")
    public record Detail(@Schema(example = "data") String name, @Schema(example = "1") long version, @Schema(example = "data-1") String dockerName,
                         @Schema(example = "20GB") String size, Long sizeBytes, boolean sizeEnforced,
                         Instant createTime, Instant updateTime, String mountpoint, boolean present, List<String> usedBy,
                         @JsonProperty("Info") @Schema(description = "original-compatible: the current version as the original answered it") OriginalVolumeInfo info,
                         @Schema(description = "the resize in flight: its step, and while copying the bytes across of the bytes to copy; null when none runs", nullable = true) ProgressBoard.Progress progress,
                         @Schema(description = "the node whose Docker engine keeps it", example = "gpu1") String node) {}

    @Schema(name = "VolumeSummary")
    public record Summary(@Schema(example = "data") String name, @Schema(example = "1") long version, @Schema(example = "data-1") String dockerName,
                          @Schema(example = "20GB") String size, Long sizeBytes, boolean sizeEnforced,
                          @Schema(description = "the resize in flight, as in the volume's view; null when none runs", nullable = true) ProgressBoard.Progress progress,
                          @Schema(description = "the node whose Docker engine keeps it", example = "gpu1") String node) {}

    @Schema(name = "VolumeHistoryItem")
    public record HistoryItem(@Schema(example = "1") long version, Instant createTime, @Schema(example = "20GB") String size, Long sizeBytes, boolean sizeEnforced,
                              @Schema(example = "data-1") String dockerName, @Schema(example = "create") String cause, boolean present,
                              @Schema(description = "original-compatible: the version as the original answered it") OriginalVolumeInfo status) {}

    @Schema(name = "VolumeHistory")
    public record History(List<HistoryItem> history) {}

    /** The original project's record of a volume version: the options it was created with. */
    @Schema(name = "OriginalVolumeInfo")
    public record OriginalVolumeInfo(
            @Schema(example = "1") long version,
            @Schema(description = "the original's time format, host local time", example = "2025-01-01 08:00:00") String createTime,
            OriginalVolumeOpt opt) {

        static OriginalVolumeInfo of(long version, Instant createTime, String dockerName, String size) {
            return new OriginalVolumeInfo(version, OriginalTime.format(createTime),
                    new OriginalVolumeOpt("local", size == null ? Map.of() : Map.of("size", size), dockerName));
        }
    }

    /** Docker's volume create options, as the original kept them. */
    @Schema(name = "OriginalVolumeOpt")
    public record OriginalVolumeOpt(
            @JsonProperty("Driver") @Schema(example = "local") String driver,
            @JsonProperty("DriverOpts") @Schema(example = "{\"size\": \"20GB\"}") Map<String, String> driverOpts,
            @JsonProperty("Name") @Schema(example = "data-1") String name) {}
}
