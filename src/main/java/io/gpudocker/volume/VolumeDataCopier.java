package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.copy.CopyMethod;
import io.gpudocker.copy.CopyMetrics;
import io.gpudocker.copy.CopyReport;
import io.gpudocker.common.ProcessRunner;
import io.gpudocker.copy.ConfinedCommand;
import io.gpudocker.copy.ReflinkProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a volume's data into its next version and measures the bytes it uses. Works on the volumes'
 * mountpoints on this host, so the service must run as root on the Docker host (as it must anyway).
 * cp and du run confined to the trees they work on ({@link ConfinedCommand}): the tenant writes to the
 * volume, and a directory it swaps for a link mid-copy must not lead root's cp out of the volume.
 */
public class VolumeDataCopier {
    private static final Logger log = LoggerFactory.getLogger(VolumeDataCopier.class);
    /** Volumes can hold terabytes; a copy or measurement still running after a day is taken to be hung. */
    public static final Duration DEFAULT_LIMIT = Duration.ofHours(24);
    public static final String KIND = "volume";

    private final ProcessRunner runner;
    private final String cp;
    private final String du;
    private final Duration limit;
    private final ReflinkProbe reflinks;
    private final CopyMetrics metrics;
    private final ConfinedCommand confined;

    public VolumeDataCopier(String cp, String du) {
        this(cp, du, DEFAULT_LIMIT);
    }

    /** @param limit how long one copy or measurement may run before it is killed and reported as failed */
    public VolumeDataCopier(String cp, String du, Duration limit) {
        this(cp, du, limit, new ConfinedCommand());
    }

    public VolumeDataCopier(String cp, String du, Duration limit, ConfinedCommand confined) {
        this(cp, du, limit, new ReflinkProbe(cp, limit.compareTo(ReflinkProbe.DEFAULT_LIMIT) < 0 ? limit : ReflinkProbe.DEFAULT_LIMIT, confined),
                CopyMetrics.standalone(), confined);
    }

    /**
     * @param reflinks decides per filesystem whether the copy clones; shared, so each filesystem is probed once
     * @param confined how cp and du are run: in a root of their own that holds only the trees
     */
    public VolumeDataCopier(String cp, String du, Duration limit, ReflinkProbe reflinks, CopyMetrics metrics, ConfinedCommand confined) {
        this(cp, du, limit, reflinks, metrics, confined, null);
    }

    /** @param copies bounds the copies and measurements running at once, shared with the system disks' (null: no bound) */
    public VolumeDataCopier(String cp, String du, Duration limit, ReflinkProbe reflinks, CopyMetrics metrics, ConfinedCommand confined,
                            Semaphore copies) {
        this.runner = new ProcessRunner(copies);
        this.cp = cp;
        this.du = du;
        this.limit = limit;
        this.reflinks = reflinks;
        this.metrics = metrics;
        this.confined = confined;
    }

    /**
     * Refuses clearly, before anything is changed, where a volume's data is not visible from here or
     * cannot be copied confined to it.
     */
    public void requireVisible(String dockerName, String mountpoint) {
        if (mountpoint == null || !Files.isDirectory(Path.of(mountpoint))) {
            throw ApiException.of(ErrorCode.VOLUME_PATCH_FAILED,
                    "the data of volume %s (%s) is not visible to this service; it must run as root on the Docker host itself, with Docker's data root reachable at the same path",
                    dockerName, mountpoint);
        }
        try {
            confined.requireAvailable();
        } catch (ConfinedCommand.Unavailable e) {
            throw ApiException.of(ErrorCode.VOLUME_PATCH_FAILED, "the data of volume %s cannot be copied: %s", dockerName, e.getMessage());
        }
    }

    /**
     * Copies everything under {@code from} into the (empty) directory {@code to}, in place of its contents.
     * {@code -a} keeps owners, modes, timestamps, symlinks, hard links within the volume, ACLs and xattrs;
     * {@code --sparse=auto} finds holes with SEEK_DATA/SEEK_HOLE so sparse files stay sparse without reading
     * them, and lets cp use copy_file_range for the data (docs/benchmarks.md measures it against
     * {@code --sparse=always}, which must read every byte); {@code -T} copies the directory's contents, dotfiles too.
     * Where the filesystem clones files (see {@link ReflinkProbe}) the copy runs with {@code --reflink=always},
     * so it either clones every file or fails; a clone shares the extents, holes included. cp sees only the
     * two trees: a link in {@code from} that leads out of it, made before or during the copy, leads nowhere
     * (cp then fails on it, or copies the link as a link).
     *
     * @param bytes the bytes in use being copied, where the caller measured them (for the report), else null
     *
     * @throws ProcessRunner.Failed when the copy exits non-zero, runs past its limit or cannot start; the
     *                              caller decides what that means for its operation
     */
    public CopyReport copy(String from, String to, Long bytes) {
        long started = System.nanoTime();
        ReflinkProbe.Verdict verdict = reflinks.methodFor(Path.of(from), Path.of(to));
        runner.runOrFail("copying " + from + " to " + to, confined.command(from, to, copyCommand(cp, verdict.method())), limit);
        CopyReport report = new CopyReport(KIND, verdict.method(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), bytes);
        metrics.record(report);
        log.info("copied {} to {} by {} in {} ms ({})", from, to, verdict.method().label(), report.millis(), verdict.reason());
        return report;
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
            out = runner.runOrFail("measuring the bytes in use under " + dir, confined.command(dir, null, measureCommand(du)), limit);
        } catch (ProcessRunner.Failed e) {
            throw new ApiException(ErrorCode.VOLUME_PATCH_FAILED, e.getMessage(), e);
        }
        try {
            return Long.parseLong(out.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            throw ApiException.of(ErrorCode.VOLUME_PATCH_FAILED, "cannot read the bytes in use under %s from '%s'", dir, out.trim());
        }
    }

    /** cp as it runs inside the confinement: from {@link ConfinedCommand#FROM} into {@link ConfinedCommand#TO}. */
    static List<String> copyCommand(String cp, CopyMethod method) {
        List<String> cmd = new ArrayList<>(List.of(cp, "-a", "--sparse=auto"));
        if (method == CopyMethod.REFLINK) {
            cmd.add("--reflink=always");
        }
        cmd.addAll(List.of("-T", "--", ConfinedCommand.FROM, ConfinedCommand.TO));
        return cmd;
    }

    /** du as it runs inside the confinement, over the tree at {@link ConfinedCommand#FROM}. */
    static List<String> measureCommand(String du) {
        return List.of(du, "-s", "-B1", "-x", "--", ConfinedCommand.FROM);
    }
}
