package io.gpudocker.docker;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Without an init, Docker refuses to start a container whose program does not exist; under Docker's init
 * the start succeeds and the init exits 127 at once. So a container with the init that is about to start
 * has its program looked up first, and is refused as Docker would refuse it without the init.
 * <p>
 * Docker answers a lookup by mounting the container's filesystem, work that queues under a burst of creates. A
 * path that no mount of the container covers is a path of its image, whose content never changes under its id: its
 * answer is kept per image id and path, and asked of Docker once however many containers of that image look at once.
 */
final class InitProgramCheck {
    /** Answers kept: far above the images and programs one host starts; past it they are all asked afresh. */
    static final int MAX_KNOWN = 4096;
    /** Paths Docker makes or mounts in every container, whatever its image holds: never answered from the image. */
    private static final List<String> CONTAINER_MADE = List.of("/dev", "/proc", "/sys", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf",
            "/.dockerenv", "/run/.containerenv");

    /**
     * What inspect says of how a container starts.
     *
     * @param argv        its entrypoint, else its command
     * @param image       the id of the image it was made from; null where unknown (nothing is then kept)
     * @param mountPoints where it has something mounted over its image (binds, volumes, tmpfs)
     */
    record Launch(String containerId, boolean init, boolean running, List<String> argv, List<String> env, String workingDir, String image,
                  List<String> mountPoints) {
        Launch(String containerId, boolean init, boolean running, List<String> argv, List<String> env, String workingDir) {
            this(containerId, init, running, argv, env, workingDir, null, List.of());
        }
    }

    /** Whether a path exists in a container's filesystem: true or false as Docker answered, null where it cannot tell. */
    @FunctionalInterface
    interface PathLookup {
        Boolean exists(String containerId, String path);
    }

    private record Key(String image, String path) {}

    private final PathLookup lookup;
    private final Map<Key, CompletableFuture<Boolean>> known = new ConcurrentHashMap<>();

    InitProgramCheck(PathLookup lookup) {
        this.lookup = lookup;
    }

    /** @throws EngineException (400) with Docker's own wording when the program is nowhere to be found */
    void require(String nameOrId, Launch launch) {
        Optional<String> program = programToFind(launch);
        if (program.isEmpty()) {
            return;
        }
        for (String candidate : CommandPaths.candidates(program.get(), launch.env(), launch.workingDir())) {
            if (exists(launch, candidate)) {
                return;
            }
        }
        throw new EngineException(400, "Docker refused to start container " + nameOrId + ": exec: \"" + program.get() + "\": "
                + (program.get().contains("/") ? "no such file or directory" : "executable file not found in $PATH"), null);
    }

    /** The program to look for; none where Docker decides alone (no init, already running, no command at all). */
    static Optional<String> programToFind(Launch launch) {
        if (!launch.init() || launch.running() || launch.argv().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(launch.argv().get(0));
    }

    /** Whether the path exists; where Docker cannot tell, true (the start then decides). */
    private boolean exists(Launch launch, String path) {
        if (launch.image() == null || launch.image().isEmpty() || covered(path, launch.mountPoints())) {
            return ask(launch.containerId(), path);
        }
        Key key = new Key(launch.image(), path);
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> asked = known.putIfAbsent(key, mine);
        if (asked != null) {
            Boolean answer = answerOf(asked);
            // the one who asked could not tell (or failed): ask for this container
            return answer != null ? answer : ask(launch.containerId(), path);
        }
        if (known.size() > MAX_KNOWN) {
            known.keySet().removeIf(k -> !k.equals(key));
        }
        try {
            Boolean answer = lookup.exists(launch.containerId(), path);
            mine.complete(answer);
            if (answer == null) {
                known.remove(key, mine);
                return true;
            }
            return answer;
        } catch (RuntimeException e) {
            known.remove(key, mine);
            mine.complete(null);
            throw e;
        }
    }

    private boolean ask(String containerId, String path) {
        Boolean answer = lookup.exists(containerId, path);
        return answer == null || answer;
    }

    private static Boolean answerOf(CompletableFuture<Boolean> asked) {
        try {
            return asked.join();
        } catch (CompletionException e) {
            return null;
        }
    }

    /**
     * Whether something other than the image answers for the path: a mount over it, a mount below it (Docker makes the
     * directories a mount point needs), or what Docker makes in every container.
     */
    static boolean covered(String path, List<String> mountPoints) {
        for (String point : mountPoints) {
            if (under(path, point) || under(point, path)) {
                return true;
            }
        }
        for (String made : CONTAINER_MADE) {
            if (under(path, made)) {
                return true;
            }
        }
        return false;
    }

    private static boolean under(String path, String point) {
        String p = point.endsWith("/") && point.length() > 1 ? point.substring(0, point.length() - 1) : point;
        return p.equals("/") || path.equals(p) || path.startsWith(p + "/");
    }
}
