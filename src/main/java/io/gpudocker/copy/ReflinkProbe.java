package io.gpudocker.copy;

import io.gpudocker.common.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out, once per filesystem, whether {@code cp --reflink=always} can clone files there (XFS with
 * reflink=1, btrfs), so that a copy either clones or byte-copies by a decision made up front and reported,
 * never by cp's silent fallback. The test is the real thing: the same cp clones a small probe file in a
 * scratch directory on that filesystem, through the same confinement the copies run in (where it is given
 * one): there source and target are two mounts of one filesystem, which kernels before 5.18 refuse to clone
 * across. The probe file is the service's own, in a directory the tenant cannot write to.
 */
public class ReflinkProbe {
    private static final Logger log = LoggerFactory.getLogger(ReflinkProbe.class);
    /** A probe clones 64 KiB; a cp that has not done so within this is taken to be hung. */
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(30);
    private static final int PROBE_BYTES = 64 * 1024;

    /** The method for one filesystem, its type as the kernel names it, and why. */
    public record Verdict(CopyMethod method, String filesystem, String reason) {
        public boolean reflinks() {
            return method == CopyMethod.REFLINK;
        }
    }

    private final ProcessRunner runner = new ProcessRunner();
    private final String cp;
    private final Duration limit;
    /** Where the copies run confined, the probe runs so too; null probes on the host as it is. */
    private final ConfinedCommand confined;
    private final Map<Object, Verdict> byFilesystem = new ConcurrentHashMap<>();

    public ReflinkProbe(String cp) {
        this(cp, DEFAULT_LIMIT);
    }

    public ReflinkProbe(String cp, Duration limit) {
        this(cp, limit, null);
    }

    public ReflinkProbe(String cp, Duration limit, ConfinedCommand confined) {
        this.cp = cp;
        this.limit = limit;
        this.confined = confined;
    }

    /**
     * The method for copying the tree {@code from} into the directory {@code to}. Probes in {@code to}'s
     * parent: the Docker-owned directory that holds the new layer or volume, beside the data and never
     * inside it, so a probe file left by a crash goes away with the container or volume.
     */
    public Verdict methodFor(Path from, Path to) {
        Object source = filesystemOf(from);
        Object target = filesystemOf(to);
        if (source == null || !source.equals(target)) {
            return new Verdict(CopyMethod.BYTES, typeOf(to),
                    from + " and " + to + " are not on one filesystem (or cannot be told apart), and reflinks never cross filesystems");
        }
        Path scratch = to.getParent() == null ? to : to.getParent();
        return probe(scratch);
    }

    /** Whether files in the directory {@code dir} can be cloned; probed at the first call for its filesystem. */
    public Verdict probe(Path dir) {
        Object fs = filesystemOf(dir);
        if (fs == null) {
            return new Verdict(CopyMethod.BYTES, null, dir + " cannot be examined, so reflinks are not used for it");
        }
        Verdict known = byFilesystem.get(fs);
        if (known != null) {
            return known;
        }
        synchronized (this) {
            known = byFilesystem.get(fs);
            if (known != null) {
                return known;
            }
            Verdict fresh = run(dir);
            if (fresh != null) {
                byFilesystem.put(fs, fresh);
                log.info("copies on the {} filesystem of {} use {}: {}", fresh.filesystem(), dir, fresh.method().label(), fresh.reason());
                return fresh;
            }
            return new Verdict(CopyMethod.BYTES, typeOf(dir), "the reflink probe in " + dir + " could not run; bytes are copied until it can");
        }
    }

    /** @return the verdict, or null when the probe itself could not run (it is tried again next time) */
    private Verdict run(Path dir) {
        String type = typeOf(dir);
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory(dir, ".gda-reflink-probe-");
            Path original = scratch.resolve("original");
            Files.write(original, new byte[PROBE_BYTES]);
            Path clone = scratch.resolve("clone");
            ProcessRunner.Result r = runner.run(command(scratch), limit);
            if (r.succeeded()) {
                return new Verdict(CopyMethod.REFLINK, type, cp + " --reflink=always cloned a probe file on " + type);
            }
            String said = r.stderr().isBlank() ? "exit " + r.exitCode() : r.stderr().strip();
            return new Verdict(CopyMethod.BYTES, type, type + " does not clone files (" + said + "), so every byte is copied");
        } catch (IOException | RuntimeException e) {
            log.warn("reflink probe in {} could not run: {}", dir, e.getMessage());
            return null;
        } finally {
            removeQuietly(scratch);
        }
    }

    /** The clone of scratch/original to scratch/clone, as the copies run: confined where they are. */
    List<String> command(Path scratch) {
        if (confined == null) {
            return List.of(cp, "--reflink=always", "--", scratch.resolve("original").toString(), scratch.resolve("clone").toString());
        }
        return confined.command(scratch.toString(), scratch.toString(),
                List.of(cp, "--reflink=always", "--", ConfinedCommand.FROM + "/original", ConfinedCommand.TO + "/clone"));
    }

    /** The device a path lives on, where the platform names it (the "unix" attribute view); else null. */
    private static Object filesystemOf(Path p) {
        try {
            return Files.getFileStore(p).supportsFileAttributeView("unix") ? Files.getAttribute(p, "unix:dev") : null;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private static String typeOf(Path p) {
        try {
            return Files.getFileStore(p).type();
        } catch (IOException | SecurityException e) {
            return "unknown";
        }
    }

    private static void removeQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a probe directory that cannot be removed is a few bytes beside the data; nothing depends on it
        }
    }
}
