package io.gpudocker.docker;

import java.util.List;
import java.util.Optional;

/**
 * Without an init, Docker refuses to start a container whose program does not exist; under Docker's init
 * the start succeeds and the init exits 127 at once. So a container with the init that is about to start
 * has its program looked up first, and is refused as Docker would refuse it without the init.
 */
final class InitProgramCheck {

    /** What inspect says of how a container starts. @param argv its entrypoint, else its command */
    record Launch(String containerId, boolean init, boolean running, List<String> argv, List<String> env, String workingDir) {}

    /** Whether a path exists in a container's filesystem; true where Docker cannot tell (the start then decides). */
    @FunctionalInterface
    interface PathLookup {
        boolean exists(String containerId, String path);
    }

    private final PathLookup lookup;

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
            if (lookup.exists(launch.containerId(), candidate)) {
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
}
