package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private static final long COPY_LIMIT_HOURS = 24;

    private final String cp;
    private final String du;

    public VolumeDataCopier(String cp, String du) {
        this.cp = cp;
        this.du = du;
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
     */
    public long copy(String from, String to) {
        long started = System.nanoTime();
        run(List.of(cp, "-a", "--sparse=auto", "-T", "--", from, to), "copy " + from + " to " + to);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        log.debug("copied {} to {} in {} ms", from, to, millis);
        return millis;
    }

    /**
     * Bytes in use: the disk space allocated to the tree ({@code du -s -B1 -x}), hard-linked files counted
     * once and holes of sparse files not counted. This is what a project quota charges, so a copy into a
     * volume of at least this size fits.
     */
    public long bytesInUse(String dir) {
        String out = run(List.of(du, "-s", "-B1", "-x", "--", dir), "measure the bytes in use under " + dir);
        try {
            return Long.parseLong(out.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            throw ApiException.of(ErrorCode.VOLUME_PATCH_FAILED, "cannot read the bytes in use under %s from '%s'", dir, out.trim());
        }
    }

    private String run(List<String> cmd, String what) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(COPY_LIMIT_HOURS, TimeUnit.HOURS)) {
                p.destroyForcibly();
                throw ApiException.of(ErrorCode.VOLUME_PATCH_FAILED, "failed to %s: still running after %d hours", what, COPY_LIMIT_HOURS);
            }
            if (p.exitValue() != 0) {
                throw ApiException.of(ErrorCode.VOLUME_PATCH_FAILED, "failed to %s (exit %d): %s", what, p.exitValue(), out.trim());
            }
            return out;
        } catch (IOException e) {
            throw ApiException.of(ErrorCode.VOLUME_PATCH_FAILED, "failed to %s: %s", what, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.of(ErrorCode.VOLUME_PATCH_FAILED, "interrupted while trying to %s", what);
        }
    }
}
