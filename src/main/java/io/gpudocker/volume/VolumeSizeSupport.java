package io.gpudocker.volume;

import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.EngineInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the kernel can hold a volume to its size on this host. Docker's {@code local} driver enforces
 * its {@code size} option only with XFS project quota under Docker's data root; anywhere else a size is
 * recorded as a declared limit and reported as {@code sizeEnforced: false}. Detected once (at startup, or
 * at the first call that needs it if Docker was not reachable then) and never guessed per call.
 */
public class VolumeSizeSupport {
    private static final Logger log = LoggerFactory.getLogger(VolumeSizeSupport.class);

    private final ContainerEngine engine;
    private final Supplier<List<String>> mounts;
    private volatile Status detected;

    /** What was found, for the health endpoint and every volume response. */
    public record Status(boolean enforced, String dockerRootDir, String filesystem, String mountPoint, String mountOptions, String reason) {}

    public VolumeSizeSupport(ContainerEngine engine, Supplier<List<String>> mounts) {
        this.engine = engine;
        this.mounts = mounts;
    }

    /** Reads /proc/mounts of the host this service runs on. */
    public static List<String> procMounts() {
        try {
            return Files.readAllLines(Path.of("/proc/mounts"));
        } catch (IOException e) {
            return List.of();
        }
    }

    public boolean enforced() { return status().enforced(); }

    /** The detected status; while Docker has not answered yet, an unenforced status that says so (detection is retried). */
    public Status status() {
        Status s = detected;
        if (s != null) {
            return s;
        }
        synchronized (this) {
            if (detected == null) {
                EngineInfo info;
                try {
                    info = engine.info();
                } catch (RuntimeException e) {
                    return new Status(false, null, null, null, null, "not yet known: the Docker engine did not answer (" + e.getMessage() + ")");
                }
                detected = detect(info, mounts.get());
                log.info("volume sizes {}: {}", detected.enforced() ? "are enforced" : "are NOT enforced", detected.reason());
            }
            return detected;
        }
    }

    /** Pure detection from Docker's info and the lines of /proc/mounts; unit-tested. */
    public static Status detect(EngineInfo info, List<String> procMounts) {
        String root = info.dockerRootDir();
        if (root == null || root.isBlank()) {
            return new Status(false, null, null, null, null, "Docker did not report its data root; sizes are recorded as declared limits, not enforced");
        }
        String volumes = root.endsWith("/") ? root + "volumes" : root + "/volumes";
        Mount best = null;
        for (String line : procMounts) {
            Mount m = Mount.parse(line);
            if (m != null && covers(m.point(), volumes) && (best == null || m.point().length() >= best.point().length())) {
                best = m;
            }
        }
        if (best == null) {
            return new Status(false, root, null, null, null, "no mount on this host holds Docker's data root " + root
                    + " (does this service run on the Docker host?); sizes are recorded as declared limits, not enforced");
        }
        boolean xfs = "xfs".equals(best.type());
        boolean prjquota = List.of(best.options().split(",")).stream().anyMatch(o -> o.equals("prjquota") || o.equals("pquota"));
        String where = "Docker's volumes under " + volumes + " are on " + best.type() + " (" + best.device() + " mounted at " + best.point() + ")";
        if (xfs && prjquota) {
            return new Status(true, root, best.type(), best.point(), best.options(), where + " with project quota: the kernel enforces volume sizes");
        }
        String missing = xfs ? "XFS is mounted without the prjquota option" : "only XFS mounted with prjquota can enforce them";
        return new Status(false, root, best.type(), best.point(), best.options(),
                where + "; " + missing + ", so sizes are recorded as declared limits, not enforced (see docs/volumes.md)");
    }

    private static boolean covers(String mountPoint, String path) {
        return mountPoint.equals("/") || path.equals(mountPoint) || path.startsWith(mountPoint + "/");
    }

    private record Mount(String device, String point, String type, String options) {
        static Mount parse(String line) {
            String[] f = line.trim().split("\\s+");
            return f.length < 4 ? null : new Mount(unescape(f[0]), unescape(f[1]), f[2], f[3]);
        }

        /** /proc/mounts writes space, tab, newline and backslash in paths as octal escapes. */
        private static String unescape(String s) {
            if (s.indexOf('\\') < 0) {
                return s;
            }
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }
    }
}
