package io.gpudocker.docker;

import io.gpudocker.common.ProcessRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** mount(8) and umount(8), paths never canonicalized by them: the caller has walked them and checks the result. */
final class MountCommands implements BindMounts.Mounter {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private final ProcessRunner runner = new ProcessRunner();

    @Override
    public void makePrivate(Path dir) {
        run("making " + dir + " a private mount", List.of("mount", "--no-canonicalize", "--bind", "--make-private", dir.toString(), dir.toString()));
    }

    @Override
    public void bind(Path source, Path mountPoint) {
        // util-linux applies -o to a bind mount by remounting it at once, before anyone is given the mount point
        run("bind-mounting a host path at " + mountPoint, List.of("mount", "--no-canonicalize", "--bind", "-o", "nosuid,nodev",
                "--make-private", "--", source.toString(), mountPoint.toString()));
    }

    @Override
    public void unmount(Path mountPoint) {
        ProcessRunner.Result r = runner.run(List.of("umount", "--no-canonicalize", mountPoint.toString()), LIMIT);
        if (!r.succeeded()) {
            // busy in this namespace (a shell standing in it): detached now, freed when the last user goes
            run("unmounting " + mountPoint, List.of("umount", "--no-canonicalize", "--lazy", mountPoint.toString()));
        }
    }

    private void run(String purpose, List<String> command) {
        try {
            runner.runOrFail(purpose, command, LIMIT);
        } catch (ProcessRunner.Failed e) {
            throw new EngineException(500, e.getMessage(), e);
        }
    }
}
