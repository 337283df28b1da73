package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a volume's data into its next version and measures the bytes it uses. Works on the volumes'
 * mountpoints on this host, so the service must run as root on the Docker host (as it must anyway).
 */
public class VolumeDataCopier {
    private static final Logger log = LoggerFactory.getLogger(VolumeDataCopier.class);
    /** Volumes can hold terabytes; a copy or measurement still running after a day is taken to be hung. */
    public static final Duration DEFAULT_LIMIT = Duration.ofHours(24);

    private final ProcessRunner runner = new ProcessRunner();
    private final String cp;
    private final String du;
    private final Duration limit;

    public VolumeDataCopier(String cp, String du) {
        this(cp, du, DEFAULT_LIMIT);
    }

    /** @param limit how long one copy or measurement may run before it is killed and reported as failed */
    public VolumeDataCopier(String cp, String du, Duration limit) {
        this.cp = cp;
        this.du = du;
        this.limit = limit;
    }

    /** Refuses clearly, before anything is changed, where a volume's data is not visible from here. */
    public void requireVisible(String dockerName, String mountpoint) {
        if (mountpoint == null || !Files.isDirectory(Path.of(mountpoint))) {
            throw ApiException.of(ErrorCode.VOLUME_PATCH_FAILED,
                    "the data of volume %s (%s) is not visible to this service; it must run as root on the Docker host itself, with Docker's data root reachable at the same path",
                    dockerName, mountpoint);
        }
    }

    /**
     * Copies everything under {@code from} into the (empty) directory {@code to}, in place of its contents.
     * {@code -a} keeps owners, modes, timestamps, symlinks, hard links within the volume, ACLs and xattrs;
     * {@code --sparse=auto} finds holes with SEEK_DATA/SEEK_HOLE so sparse files stay sparse without reading
     * them, and lets cp use copy_file_range/reflinks for the data (docs/benchmarks.md measures it against
     * {@code --sparse=always}, which must read every byte); {@code -T} copies the directory's contents, dotfiles too.
     *
     * @throws ProcessRunner.Failed when the copy exits non-zero, runs past its limit or cannot start; the
     *                              caller decides what that means for its operation
     */
    public long copy(String from, String to) {
        long started = System.nanoTime();
        runner.runOrFail("copying " + from + " to " + to, List.of(cp, "-a", "--sparse=auto", "-T", "--", from, to), limit);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        log.debug("copied {} to {} in {} ms", from, to, millis);
        return millis;
    }

    /**
     * Bytes in use: the disk space allocated to the tree ({@code du -s -B1 -x}), hard-linked files counted
     * once and holes of sparse files not counted. This is what a project quota charges, so a copy into a
     * volume of at least this size fits.
     *
     * <p>Fails as {@link ErrorCode#VOLUME_PATCH_FAILED} itself, unlike {@link #copy}: it runs before the
     * resize has changed anything, where no caller translates the failure.
     */
    public long bytesInUse(String dir) {
        String out;
        try {
            out = runner.runOrFail("measuring the bytes in use under " + dir, List.of(du, "-s", "-B1", "-x", "--", dir), limit);
        } catch (ProcessRunner.Failed e) {
            throw new ApiException(ErrorCode.VOLUME_PATCH_FAILED, e.getMessage(), e);
        }
        try {
            return Long.parseLong(out.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            throw ApiException.of(ErrorCode.VOLUME_PATCH_FAILED, "cannot read the bytes in use under %s from '%s'", dir, out.trim());
        }
    }
}
