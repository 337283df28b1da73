package io.gpudocker.replicaset.bind;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Which host paths a bind may mount. A host path is compared by its real path, so symbolic links and
 * {@code ..} cannot lead out: it must lie under one of the roots the operator listed, and it must neither be,
 * lie under, nor contain the host's root, a system directory, Docker's or etcd's data, this service's state or
 * Docker's socket, even when a listed root would allow it. Docker is then given that real path, free of links
 * when checked; a link put in its place later is refused by the engine at every start.
 */
public class HostPathPolicy {
    /**
     * Host directories whose contents give a root inside an instance the host: credentials and keys, programs the
     * host runs as root, scheduled jobs, the etcd data that holds every record.
     */
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/proc", "/sys", "/dev", "/etc", "/boot", "/var/run", "/run",
            "/root", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/home", "/var/spool/cron", "/var/lib/etcd");
    private static final Path ROOT = Path.of("/");

    private final List<String> allowedRoots;
    private final boolean tenantsShareRoots;
    private final List<Forbidden> alwaysRefused;
    private final Supplier<String> dockerRootDir;
    private volatile List<Forbidden> dockerDataRoot;

    /** A path no bind may be, lie under, or contain; {@code what} says why in the refusal. */
    private record Forbidden(Path path, String what) {}

    /**
     * @param dockerHost    {@code gda.docker.host}; a unix:// socket is refused as a bind
     * @param dockerRootDir Docker's data root as the engine reports it; asked once, when a host path is first checked
     */
    public HostPathPolicy(List<String> allowedRoots, String dockerHost, Supplier<String> dockerRootDir) {
        this(allowedRoots, dockerHost, dockerRootDir, null);
    }

    /** @param stateDir this service's own state directory ({@code gda.state-dir}), never bound either */
    public HostPathPolicy(List<String> allowedRoots, String dockerHost, Supplier<String> dockerRootDir, String stateDir) {
        this(allowedRoots, dockerHost, dockerRootDir, stateDir, false);
    }

    /**
     * @param tenantsShareRoots whether a tenant may bind anywhere under the roots, other tenants' directories included;
     *                          otherwise a tenant binds only below its own directory of a root, {@code <root>/<tenant>}
     */
    public HostPathPolicy(List<String> allowedRoots, String dockerHost, Supplier<String> dockerRootDir, String stateDir, boolean tenantsShareRoots) {
        this.allowedRoots = List.copyOf(allowedRoots);
        this.tenantsShareRoots = tenantsShareRoots;
        this.dockerRootDir = dockerRootDir;
        List<Forbidden> refused = new ArrayList<>(variants(ROOT, "the host's root directory"));
        SYSTEM_DIRECTORIES.forEach(dir -> refused.addAll(variants(Path.of(dir), "the host system directory " + dir)));
        if (dockerHost != null && dockerHost.startsWith("unix://")) {
            String socket = dockerHost.substring("unix://".length());
            refused.addAll(variants(Path.of(socket), "the Docker socket " + socket));
        }
        if (stateDir != null && !stateDir.isBlank()) {
            refused.addAll(variants(Path.of(stateDir), "this service's state directory"));
        }
        this.alwaysRefused = List.copyOf(refused);
    }

    /**
     * As {@link #realPathOf(Bind)}, for an instance of {@code tenant}: a tenant binds only below its own directory of a
     * root ({@code /data/alice/...} under the root {@code /data}), never another tenant's, unless the operator lets
     * tenants share the roots. The admin (null or {@code admin}) binds anywhere under them.
     */
    public Path realPathOf(Bind bind, String tenant) {
        Path real = realPathOf(bind);
        if (tenantsShareRoots || tenant == null || Caller.ADMIN_NAME.equals(tenant)) {
            return real;
        }
        // judged against the innermost root holding the path: with the roots /data and /data/projects, a tenant named
        // "projects" owns /data/projects/projects, never the inner root with every other tenant's directory in it
        Optional<Path> innermost = realRoots().stream().filter(real::startsWith).max(Comparator.comparingInt(Path::getNameCount));
        if (innermost.isEmpty() || !real.startsWith(innermost.get().resolve(tenant))) {
            throw refuse(bind, "a tenant binds only below its own directory of an allowed root, <root>/" + tenant
                    + " (gda.binds.tenants-share-roots lets every tenant bind anywhere under the roots, each other's directories too)");
        }
        return real;
    }

    /** The real path to hand Docker for a host-path bind; refuses (1040) a path the operator's roots do not allow. */
    public Path realPathOf(Bind bind) {
        if (allowedRoots.isEmpty()) {
            // not even resolved: the answer must not tell what exists on this host
            throw refuse(bind, "this host allows no host paths, only volumes (an operator lists the allowed roots with "
                    + "--bind-roots or gda.binds.allowed-roots)");
        }
        Path real = resolve(bind);
        if (!allowsReal(real)) {
            throw refuseUnnamed(bind);
        }
        return real;
    }

    /**
     * Whether a path free of links, as a bind's host path was found at a start, is still allowed: the roots or the
     * Docker data root may have changed since the bind was checked at create.
     */
    public boolean allows(Path real) {
        return !allowedRoots.isEmpty() && real.isAbsolute() && real.equals(real.normalize()) && allowsReal(real);
    }

    private boolean allowsReal(Path real) {
        for (Forbidden f : forbidden()) {
            if (real.startsWith(f.path()) && (!f.path().equals(ROOT) || real.equals(ROOT))) {
                return false;
            }
            if (!real.equals(f.path()) && f.path().startsWith(real)) {
                return false;
            }
        }
        return realRoots().stream().anyMatch(real::startsWith);
    }

    private Path resolve(Bind bind) {
        try {
            return realPath(Path.of(bind.src()));
        } catch (DanglingLinkException e) {
            throw refuse(bind, "it leads through a symbolic link whose target does not exist");
        } catch (IOException | InvalidPathException e) {
            throw refuse(bind, "it cannot be resolved");
        }
    }

    /**
     * The path with every symbolic link and {@code ..} resolved. A path that does not exist yet (Docker would
     * create it) resolves through its longest existing ancestor, so a link anywhere above it is followed too.
     */
    static Path realPath(Path path) throws IOException {
        try {
            return path.toRealPath();
        } catch (NoSuchFileException missing) {
            Path existing = path.getParent();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                throw missing;
            }
            // what follows may climb back out of the missing part with '..' onto existing links: walk it name by name
            Path at = existing.toRealPath();
            for (Path name : path.subpath(existing.getNameCount(), path.getNameCount())) {
                at = step(at, name.toString());
            }
            return at;
        }
    }

    /** One name further from {@code at}, a real path (the missing part of one has no links): links followed, '..' from the real parent. */
    private static Path step(Path at, String name) throws IOException {
        if (name.equals(".")) {
            return at;
        }
        if (name.equals("..")) {
            return at.getParent() == null ? at : at.getParent();
        }
        Path next = at.resolve(name);
        if (!Files.isSymbolicLink(next)) {
            return next;
        }
        if (!Files.exists(next)) {
            // Docker would create the link's target, wherever it points
            throw new DanglingLinkException(next);
        }
        return next.toRealPath();
    }

    private List<Forbidden> forbidden() {
        List<Forbidden> dataRoot = dockerDataRoot;
        if (dataRoot == null) {
            String dir = dockerRootDir.get();
            dataRoot = dir == null || dir.isBlank() ? List.of() : variants(Path.of(dir), "the Docker data root " + dir);
            dockerDataRoot = dataRoot;
        }
        List<Forbidden> all = new ArrayList<>(alwaysRefused);
        all.addAll(dataRoot);
        return all;
    }

    /**
     * The roots as real paths, looked up afresh each time: a root may be a mount that comes and goes. A root
     * that does not exist, as this service sees the filesystem, allows nothing: links below it could not be
     * followed (a service in a container must see every root at the host's path).
     */
    private List<Path> realRoots() {
        List<Path> real = new ArrayList<>();
        for (String root : allowedRoots) {
            try {
                real.add(Path.of(root).toRealPath());
            } catch (IOException | InvalidPathException missing) {
                // allows nothing until it exists
            }
        }
        return real;
    }

    /** The path as written and its real path, so a link such as /var/run -> /run is caught under either name. */
    private static List<Forbidden> variants(Path path, String what) {
        Set<Path> paths = new LinkedHashSet<>(List.of(path.normalize()));
        try {
            paths.add(realPath(path));
        } catch (IOException | InvalidPathException notThere) {
            // the name as written still counts
        }
        return paths.stream().map(p -> new Forbidden(p, what)).toList();
    }

    /**
     * Where a path leads is never told: which directory a link names, or which protected directory a path lies
     * in, would let a tenant map the host through refusals.
     */
    private ApiException refuseUnnamed(Bind bind) {
        return refuse(bind, "it leads outside the allowed roots, or into a host directory that is never bound (the host's root, "
                + "system and home directories, Docker's and etcd's data, this service's state)");
    }

    private ApiException refuse(Bind bind, String why) {
        return ApiException.of(ErrorCode.BIND_INVALID, "bind '%s' refused: host path '%s' is not allowed: %s; allowed roots: %s",
                bind.asDockerBind(), bind.src(), why, describeRoots());
    }

    private String describeRoots() {
        return allowedRoots.isEmpty() ? "none" : allowedRoots.stream().map(HostPathPolicy::describeRoot).collect(Collectors.joining(", "));
    }

    private static String describeRoot(String root) {
        try {
            String real = Path.of(root).toRealPath().toString();
            return real.equals(root) ? root : root + " (" + real + ")";
        } catch (IOException | InvalidPathException missing) {
            return root + " (does not exist, allows nothing)";
        }
    }

    private static final class DanglingLinkException extends IOException {
        DanglingLinkException(Path link) {
            super(link + " is a symbolic link whose target does not exist");
        }
    }
}
