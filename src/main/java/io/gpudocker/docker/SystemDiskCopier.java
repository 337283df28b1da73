package io.gpudocker.docker;

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
 * Carries a container's system disk into a new version: copies the old container's OWN overlay2 layer
 * (UpperDir: new and changed files, whiteouts of deleted files, opaque-directory xattrs, owners, modes,
 * links, timestamps) into the new container's layer while the new one is created but not yet started.
 * The cost follows the size of the container's changes, never the image's.
 */
public class SystemDiskCopier {
    private static final Logger log = LoggerFactory.getLogger(SystemDiskCopier.class);
    private final String copyCommand;

    public SystemDiskCopier(String copyCommand) {
        this.copyCommand = copyCommand;
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

    public long copy(ContainerView from, ContainerView to) {
        requireSupported(from);
        requireSupported(to);
        long started = System.nanoTime();
        // -a keeps owners, modes, timestamps, hard links, symlinks, xattrs (overlay's opaque marker) and
        // the 0/0 character devices that are overlay's whiteouts; -T copies the directory's contents, dotfiles too.
        List<String> cmd = List.of(copyCommand, "-a", "-T", "--", from.upperDir(), to.upperDir());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(6, TimeUnit.HOURS) || p.exitValue() != 0) {
                throw ApiException.of(ErrorCode.CONTAINER_PATCH_FAILED, "copying the system disk of %s into %s failed: %s", from.name(), to.name(), out);
            }
        } catch (IOException e) {
            throw ApiException.of(ErrorCode.CONTAINER_PATCH_FAILED, "copying the system disk of %s into %s failed: %s", from.name(), to.name(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.of(ErrorCode.CONTAINER_PATCH_FAILED, "interrupted while copying the system disk of %s", from.name());
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        log.info("system disk of {} copied into {} in {} ms", from.name(), to.name(), millis);
        return millis;
    }
}
