package io.gpudocker.docker;

import io.gpudocker.common.ManagedLabels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Host-path binds that a tenant cannot redirect. Docker resolves a bind's host path itself when it starts a container,
 * following links, so a tenant who can write below an allowed root could swap a directory for a link between any check
 * and that start. Instead, before each start, this service walks the path without following links
 * ({@link HostPathWalk}), asks the operator's policy about the path it found, bind-mounts it {@code nosuid,nodev} onto
 * a directory of its own ({@code <state-dir>/binds/<owner>/<container>/<n>}, root's alone) and checks the mount it made:
 * the same directory (device and inode) as the walk found, and at the same place of the same filesystem
 * (/proc/self/mountinfo). Docker is given that mount point, which no tenant can change; the container's mount is a copy
 * of it, so {@code nosuid,nodev} hold inside. The mounts live from a start to the container's stop or removal; a
 * reboot takes them away and the next start makes them again.
 */
public class BindMounts {
    private static final Logger log = LoggerFactory.getLogger(BindMounts.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A container's directory younger than this may belong to a create under way, not yet listed by Docker. */
    private static final Duration SWEEP_GRACE = Duration.ofMinutes(1);

    private final Path parent;
    private final Path dir;
    private final String owner;
    private final Mounter mounter;
    private final HostPathRule rule;
    private volatile String unavailable = "no host directory is allowed for binds (gda.binds.allowed-roots)";

    /** Whether a host path (free of links) is one the operator allows binding. */
    @FunctionalInterface
    public interface HostPathRule {
        boolean allows(Path realPath);
    }

    /** The mount(8) calls, apart so the checks around them can be tried without root. */
    interface Mounter {
        /** A private bind of {@code dir} onto itself, so that mounts below it propagate nowhere. */
        void makePrivate(Path dir);

        /** Binds {@code source} at {@code mountPoint}, {@code nosuid,nodev} and private. */
        void bind(Path source, Path mountPoint);

        void unmount(Path mountPoint);
    }

    /** One host-path bind of a container: its place in the container's binds, its host path and where it shows. */
    record HostBind(int index, String source, String dest) {}

    /**
     * @param stateDir this service's state directory: the mounts go below it, where no bind may reach
     * @param owner    the service's owner label (its etcd prefix): services sharing a host and state directory keep apart
     */
    public BindMounts(Path stateDir, String owner, HostPathRule rule) {
        this(stateDir, owner, rule, new MountCommands());
    }

    BindMounts(Path stateDir, String owner, HostPathRule rule, Mounter mounter) {
        this.parent = stateDir.resolve("binds");
        this.dir = parent.resolve(shortHash(owner));
        this.owner = owner;
        this.rule = rule;
        this.mounter = mounter;
    }

    /**
     * Makes the binds directory (root's alone) a private mount. Where that fails (no CAP_SYS_ADMIN, a read-only state
     * directory), host-path binds are refused rather than handed to Docker unchecked; a warning says so at start-up.
     */
    public void prepare() {
        try {
            Files.createDirectories(parent);
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx------"));
            if (MountTable.read().at(parent).isEmpty()) {
                mounter.makePrivate(parent);
            }
            Files.createDirectories(dir);
            unavailable = null;
            warnOnOtherNamespace();
        } catch (IOException | RuntimeException e) {
            unavailable = "this service cannot mount below " + parent + " (" + e.getMessage() + ")";
            log.warn("host-path binds are refused on this host: {}; the service needs root with CAP_SYS_ADMIN in the host's mount namespace", unavailable);
        }
    }

    /** Docker sees a mount only in its own namespace: a service in another one would hand it empty directories. */
    private static void warnOnOtherNamespace() {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt"));
            Path init = Files.readSymbolicLink(Path.of("/proc/1/ns/mnt"));
            if (!self.equals(init)) {
                log.warn("this service runs in a mount namespace ({}) other than the host's ({}): the bind mounts it makes reach Docker only "
                        + "if dockerd runs in this one; run the service in the host's mount namespace", self, init);
            }
        } catch (IOException unreadable) {
            log.info("cannot compare this service's mount namespace with the host's ({}): host-path binds reach Docker only if "
                    + "dockerd runs in this service's mount namespace", unreadable.getMessage());
        }
    }

    /** The binds directory of this service: every mount it makes lies below it. */
    public Path directory() {
        return dir;
    }

    /**
     * The spec as Docker must be given it: each host-path bind of a container this service manages pointed at its
     * mount point, and the host paths kept in a label (Docker keeps labels as they were made, and a tenant cannot
     * change them). Another's container (an original project's) is left as it is.
     *
     * @throws EngineException (400) where host-path binds cannot be mounted on this host
     */
    ContainerSpec placed(ContainerSpec spec) {
        if (!spec.labels().containsKey(ManagedLabels.OWNER) || spec.binds().stream().noneMatch(b -> b.startsWith("/"))) {
            return spec;
        }
        requireAvailable(spec.name());
        List<String> binds = new ArrayList<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (int i = 0; i < spec.binds().size(); i++) {
            String bind = spec.binds().get(i);
            if (!bind.startsWith("/")) {
                binds.add(bind);
                continue;
            }
            int colon = bind.indexOf(':');
            sources.put(Integer.toString(i), bind.substring(0, colon));
            binds.add(mountPoint(spec.name(), i) + bind.substring(colon));
        }
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.put(ManagedLabels.BIND_SOURCES, JSON.writeValueAsString(sources));
        return new ContainerSpec(spec.name(), spec.image(), spec.cmd(), spec.env(), List.copyOf(binds), spec.gpuUuids(), spec.portBindings(),
                labels, spec.cpusetCpus(), spec.memory(), spec.shmSize(), spec.init());
    }

    /** The host-path binds a container was made with by {@link #placed}; empty for one made otherwise. */
    static List<HostBind> of(String container, List<String> dockerBinds, Map<String, String> labels) {
        String json = labels.get(ManagedLabels.BIND_SOURCES);
        if (json == null) {
            return List.of();
        }
        Map<String, String> sources = JSON.readValue(json, new TypeReference<Map<String, String>>() {});
        List<HostBind> binds = new ArrayList<>();
        for (int i = 0; i < dockerBinds.size(); i++) {
            String source = sources.get(Integer.toString(i));
            if (source != null) {
                String[] parts = dockerBinds.get(i).split(":");
                binds.add(new HostBind(i, source, parts.length > 1 ? parts[1] : ""));
            }
        }
        return binds;
    }

    /**
     * Mounts each host-path bind of {@code container} afresh at its mount point, checked as the class says. On any
     * refusal, whatever was mounted for the container is taken down again.
     *
     * @throws EngineException (400) naming only the bind's destination, never where a link leads
     */
    synchronized void establish(String container, List<HostBind> binds) {
        if (binds.isEmpty()) {
            return;
        }
        requireAvailable(container);
        try {
            for (HostBind b : binds) {
                mountChecked(container, b);
            }
        } catch (RuntimeException e) {
            unmountBelow(dir.resolve(container));
            throw e;
        }
    }

    private void mountChecked(String container, HostBind b) {
        Path mountPoint = mountPoint(container, b.index());
        unmountAll(mountPoint);
        HostPathWalk.Walked walked;
        try {
            walked = HostPathWalk.walk(b.source());
        } catch (HostPathWalk.Refused refused) {
            log.warn("start of container {} refused: its bind at {}: {}", container, b.dest(), refused.getMessage());
            throw refusal(container, b, "has been replaced by a symbolic link (or by something other than a directory) since it was checked");
        }
        if (!rule.allows(walked.path())) {
            log.warn("start of container {} refused: its bind {} at {} is no longer allowed by the host's bind roots", container, walked.path(), b.dest());
            throw refusal(container, b, "is no longer allowed on this host (outside the allowed roots, or a directory that is never bound)");
        }
        makeMountPoint(mountPoint, walked.directory());
        try {
            mounter.bind(walked.path(), mountPoint);
        } catch (EngineException failed) {
            // most often the path changed under the mount (a name gone or swapped); the log keeps what mount(8) said
            log.warn("start of container {} refused: its bind {} at {} could not be mounted: {}", container, walked.path(), b.dest(), failed.getMessage());
            throw refusal(container, b, "could not be mounted: it has been replaced by a symbolic link, or changed while it was mounted, "
                    + "since it was checked (or the host refused the mount: the service's log says)");
        }
        Optional<String> wrong;
        try {
            wrong = mismatch(walked, mountPoint, identity(mountPoint), MountTable.read());
        } catch (IOException e) {
            wrong = Optional.of("the mount point cannot be looked at: " + e.getMessage());
        }
        if (wrong.isPresent()) {
            unmountAll(mountPoint);
            log.warn("start of container {} refused: the mount of its bind {} at {} is not what was checked: {}", container, walked.path(), b.dest(), wrong.get());
            throw refusal(container, b, "has been replaced by a symbolic link, or changed while it was mounted, since it was checked");
        }
    }

    /**
     * Why the mount at {@code mountPoint} is not the one meant, if it is not: a mount of the directory the walk found
     * (same device and inode), showing the same place of the same filesystem, {@code nosuid} and {@code nodev}.
     *
     * @param identity the device and inode seen at the mount point now
     */
    static Optional<String> mismatch(HostPathWalk.Walked walked, Path mountPoint, long[] identity, MountTable table) {
        Optional<MountTable.Mount> made = table.at(mountPoint);
        if (made.isEmpty()) {
            return Optional.of("nothing is mounted there");
        }
        if (identity[0] != walked.device() || identity[1] != walked.inode()) {
            return Optional.of("it shows another directory than the one checked");
        }
        MountTable.Mount holder = table.holding(walked.path());
        if (!made.get().device().equals(holder.device()) || !made.get().root().equals(table.rootOf(walked.path()))) {
            return Optional.of("it shows " + made.get().root() + " of device " + made.get().device() + ", not " + table.rootOf(walked.path())
                    + " of " + holder.device());
        }
        if (!made.get().options().containsAll(List.of("nosuid", "nodev"))) {
            return Optional.of("it is not nosuid,nodev: " + made.get().options());
        }
        return Optional.empty();
    }

    private static long[] identity(Path mountPoint) throws IOException {
        Map<String, Object> attrs = Files.readAttributes(mountPoint, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        return new long[] {((Number) attrs.get("dev")).longValue(), ((Number) attrs.get("ino")).longValue()};
    }

    /** Takes down the container's mounts and its directories; nothing to do for a container that has none. */
    synchronized void release(String container) {
        Path own = dir.resolve(container);
        if (!Files.isDirectory(own, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        unmountBelow(own);
        if (!MountTable.read().below(own).isEmpty()) {
            log.warn("bind mounts of container {} below {} could not all be taken down; its directory stays", container, own);
            return;
        }
        // one level of empty mount points, removed one by one: never a recursive delete, which a mount left behind would lead into
        try (DirectoryStream<Path> points = Files.newDirectoryStream(own)) {
            for (Path p : points) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(own);
            log.info("bind mounts of container {} taken down", container);
        } catch (IOException e) {
            log.warn("directory {} of container {}'s bind mounts not removed: {}", own, container, e.getMessage());
        }
    }

    /** Whether this service holds a directory of mounts for a container of that name. */
    boolean holds(String container) {
        return Files.isDirectory(dir.resolve(container), LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether this service holds mounts for any container at all. */
    boolean holdsAny() {
        try (DirectoryStream<Path> containers = Files.newDirectoryStream(dir)) {
            return containers.iterator().hasNext();
        } catch (NoSuchFileException none) {
            return false;
        } catch (IOException unreadable) {
            return true;
        }
    }

    /** Takes down the mounts of containers that no longer exist (removed behind the service's back, or while it was down). */
    synchronized void sweep(Set<String> existing) {
        if (unavailable != null || !Files.isDirectory(dir)) {
            return;
        }
        Instant settled = Instant.now().minus(SWEEP_GRACE);
        List<String> gone = new ArrayList<>();
        try (DirectoryStream<Path> containers = Files.newDirectoryStream(dir)) {
            for (Path c : containers) {
                String name = c.getFileName().toString();
                FileTime modified = Files.getLastModifiedTime(c, LinkOption.NOFOLLOW_LINKS);
                if (!existing.contains(name) && modified.toInstant().isBefore(settled)) {
                    gone.add(name);
                }
            }
        } catch (IOException e) {
            log.warn("bind mounts below {} not swept: {}", dir, e.getMessage());
            return;
        }
        gone.forEach(this::release);
    }

    String owner() {
        return owner;
    }

    private void requireAvailable(String container) {
        String why = unavailable;
        if (why != null) {
            throw new EngineException(400, "container " + container + " uses host-path binds, which are off on this host: " + why
                    + "; use volumes, or run the service as root in the host's mount namespace", null);
        }
    }

    private Path mountPoint(String container, int index) {
        return dir.resolve(container).resolve(Integer.toString(index));
    }

    private void makeMountPoint(Path mountPoint, boolean directory) {
        try {
            Files.createDirectories(mountPoint.getParent());
            boolean isDirectory = Files.isDirectory(mountPoint, LinkOption.NOFOLLOW_LINKS);
            if (Files.exists(mountPoint, LinkOption.NOFOLLOW_LINKS) && isDirectory != directory) {
                Files.delete(mountPoint);
            }
            if (!Files.exists(mountPoint, LinkOption.NOFOLLOW_LINKS)) {
                if (directory) {
                    Files.createDirectory(mountPoint);
                } else {
                    Files.createFile(mountPoint);
                }
            }
        } catch (IOException e) {
            throw new EngineException(500, "mount point " + mountPoint + " could not be made: " + e.getMessage(), e);
        }
    }

    /** Every mount stacked at {@code mountPoint}, top first. */
    private void unmountAll(Path mountPoint) {
        for (int i = 0; i < 8 && MountTable.read().at(mountPoint).isPresent(); i++) {
            mounter.unmount(mountPoint);
        }
    }

    private void unmountBelow(Path containerDir) {
        List<Path> points = new ArrayList<>(MountTable.read().below(containerDir));
        points.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path p : points) {
            try {
                unmountAll(p);
            } catch (RuntimeException e) {
                log.warn("bind mount {} not taken down: {}", p, e.getMessage());
            }
        }
    }

    private static EngineException refusal(String container, HostBind b, String what) {
        return new EngineException(400, "container " + container + " was not started: the host directory bound at " + b.dest() + " " + what
                + "; the instance stays stopped (remove the link, or restart to make a new version without that bind)", null);
    }

    private static String shortHash(String owner) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(owner.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
