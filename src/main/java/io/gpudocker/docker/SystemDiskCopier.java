package io.gpudocker.docker;

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
 * Carries a container's system disk into a new version: copies the old container's OWN overlay2 layer
 * (UpperDir: new and changed files, whiteouts of deleted files, opaque-directory xattrs, owners, modes,
 * links, timestamps) into the new container's layer while the new one is created but not yet started.
 * The cost follows the size of the container's changes, never the image's; where the filesystem clones files
 * (XFS with reflink=1, btrfs) it is a clone of each file, nearly free whatever the size (see {@link ReflinkProbe}).
 * cp runs confined to the two layers ({@link ConfinedCommand}): the tenant wrote the old layer, and a
 * directory there that is (or becomes) a link must not lead root's cp into the host's files.
 */
public class SystemDiskCopier {
    private static final Logger log = LoggerFactory.getLogger(SystemDiskCopier.class);
    /** Generous for any layer a copy finishes at all; a copy still running after it is taken to be hung. */
    public static final Duration DEFAULT_LIMIT = Duration.ofHours(6);
    public static final String KIND = "system-disk";

    private final ProcessRunner runner;
    private final String copyCommand;
    private final Duration limit;
    private final ReflinkProbe reflinks;
    private final CopyMetrics metrics;
    private final ConfinedCommand confined;

    public SystemDiskCopier(String copyCommand) {
        this(copyCommand, DEFAULT_LIMIT);
    }

    /** @param limit how long one copy may run before it is killed and reported as failed */
    public SystemDiskCopier(String copyCommand, Duration limit) {
        this(copyCommand, limit, new ConfinedCommand());
    }

    public SystemDiskCopier(String copyCommand, Duration limit, ConfinedCommand confined) {
        this(copyCommand, limit, new ReflinkProbe(copyCommand, min(limit, ReflinkProbe.DEFAULT_LIMIT), confined), CopyMetrics.standalone(), confined);
    }

    /**
     * @param reflinks decides per filesystem whether the copy clones; shared, so each filesystem is probed once
     * @param confined how cp is run: in a root of its own that holds only the two layers
     */
    public SystemDiskCopier(String copyCommand, Duration limit, ReflinkProbe reflinks, CopyMetrics metrics, ConfinedCommand confined) {
        this(copyCommand, limit, reflinks, metrics, confined, null);
    }

    /** @param copies bounds the copies running at once, shared with the volumes' (null: no bound) */
    public SystemDiskCopier(String copyCommand, Duration limit, ReflinkProbe reflinks, CopyMetrics metrics, ConfinedCommand confined,
                            Semaphore copies) {
        this.runner = new ProcessRunner(copies);
        this.copyCommand = copyCommand;
        this.limit = limit;
        this.reflinks = reflinks;
        this.metrics = metrics;
        this.confined = confined;
    }

    /** Refuses clearly, before anything is changed, where the layer cannot be reached or copied confined. */
    public void requireSupported(ContainerDetail container) {
        if (!"overlay2".equals(container.graphDriver())) {
            throw ApiException.of(ErrorCode.SYSTEM_DISK_UNSUPPORTED,
                    "container %s uses the storage driver '%s'; carrying the system disk over needs Docker's overlay2 driver", container.name(), container.graphDriver());
        }
        if (container.upperDir() == null || !Files.isDirectory(Path.of(container.upperDir()))) {
            throw ApiException.of(ErrorCode.SYSTEM_DISK_UNSUPPORTED,
                    "the layer of container %s (%s) is not visible to this service; it must run as root on the Docker host itself, with Docker's data root reachable at the same path",
                    container.name(), container.upperDir());
        }
        try {
            confined.requireAvailable();
        } catch (ConfinedCommand.Unavailable e) {
            throw ApiException.of(ErrorCode.SYSTEM_DISK_UNSUPPORTED, "the system disk of container %s cannot be carried over: %s", container.name(), e.getMessage());
        }
    }

    /**
     * Copies {@code from}'s layer into {@code to}'s.
     *
     * @throws ProcessRunner.Failed when the copy exits non-zero, runs past its limit or cannot start; the
     *                              caller decides what that means for its operation
     */
    public CopyReport copy(ContainerDetail from, ContainerDetail to) {
        requireSupported(from);
        requireSupported(to);
        long started = System.nanoTime();
        ReflinkProbe.Verdict verdict = reflinks.methodFor(Path.of(from.upperDir()), Path.of(to.upperDir()));
        runner.runOrFail("copying the system disk of " + from.name() + " into " + to.name(), confined.command(from.upperDir(), to.upperDir(), command(copyCommand, verdict.method())), limit);
        CopyReport report = new CopyReport(KIND, verdict.method(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), null);
        metrics.record(report);
        log.info("system disk of {} copied into {} by {} in {} ms ({})", from.name(), to.name(), verdict.method().label(), report.millis(), verdict.reason());
        return report;
    }

    /** cp as it runs inside the confinement: the old layer at {@link ConfinedCommand#FROM}, the new at {@link ConfinedCommand#TO}. */
    static List<String> command(String copyCommand, CopyMethod method) {
        // -a keeps owners, modes, timestamps, hard links, symlinks, xattrs (overlay's opaque marker) and
        // the 0/0 character devices that are overlay's whiteouts; -T copies the directory's contents, dotfiles too.
        List<String> cmd = new ArrayList<>(List.of(copyCommand, "-a"));
        if (method == CopyMethod.REFLINK) {
            // "always", not cp's default "auto": a file that cannot be cloned fails the copy instead of
            // silently turning a constant-time update into a byte copy
            cmd.add("--reflink=always");
        }
        cmd.addAll(List.of("-T", "--", ConfinedCommand.FROM, ConfinedCommand.TO));
        return cmd;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }
}
