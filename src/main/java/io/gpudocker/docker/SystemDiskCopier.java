package io.gpudocker.docker;

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
 * Carries a container's system disk into a new version: copies the old container's OWN overlay2 layer
 * (UpperDir: new and changed files, whiteouts of deleted files, opaque-directory xattrs, owners, modes,
 * links, timestamps) into the new container's layer while the new one is created but not yet started.
 * The cost follows the size of the container's changes, never the image's.
 */
public class SystemDiskCopier {
    private static final Logger log = LoggerFactory.getLogger(SystemDiskCopier.class);
    /** Generous for any layer a copy finishes at all; a copy still running after it is taken to be hung. */
    public static final Duration DEFAULT_LIMIT = Duration.ofHours(6);

    private final ProcessRunner runner = new ProcessRunner();
    private final String copyCommand;
    private final Duration limit;

    public SystemDiskCopier(String copyCommand) {
        this(copyCommand, DEFAULT_LIMIT);
    }

    /** @param limit how long one copy may run before it is killed and reported as failed */
    public SystemDiskCopier(String copyCommand, Duration limit) {
        this.copyCommand = copyCommand;
        this.limit = limit;
    }

    /** Refuses clearly, before anything is changed, where the layer cannot be reached. */
    public void requireSupported(ContainerView container) {
        if (!"overlay2".equals(container.graphDriver())) {
            throw ApiException.of(ErrorCode.SYSTEM_DISK_UNSUPPORTED,
                    "container %s uses the storage driver '%s'; carrying the system disk over needs Docker's overlay2 driver", container.name(), container.graphDriver());
        }
        if (container.upperDir() == null || !Files.isDirectory(Path.of(container.upperDir()))) {
            throw ApiException.of(ErrorCode.SYSTEM_DISK_UNSUPPORTED,
                    "the layer of container %s (%s) is not visible to this service; it must run as root on the Docker host itself, with Docker's data root reachable at the same path",
                    container.name(), container.upperDir());
        }
    }

    /**
     * Copies {@code from}'s layer into {@code to}'s.
     *
     * @throws ProcessRunner.Failed when the copy exits non-zero, runs past its limit or cannot start; the
     *                              caller decides what that means for its operation
     */
    public long copy(ContainerView from, ContainerView to) {
        requireSupported(from);
        requireSupported(to);
        long started = System.nanoTime();
        // -a keeps owners, modes, timestamps, hard links, symlinks, xattrs (overlay's opaque marker) and
        // the 0/0 character devices that are overlay's whiteouts; -T copies the directory's contents, dotfiles too.
        List<String> cmd = List.of(copyCommand, "-a", "-T", "--", from.upperDir(), to.upperDir());
        runner.runOrFail("copying the system disk of " + from.name() + " into " + to.name(), cmd, limit);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        log.info("system disk of {} copied into {} in {} ms", from.name(), to.name(), millis);
        return millis;
    }
}
