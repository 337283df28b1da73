package io.gpudocker.copy;

import io.gpudocker.common.ProcessRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the command line that runs cp or du over a tenant's tree where nothing else of the host is visible.
 *
 * <p>Root copies trees a tenant writes to (a volume, a container's layer). A directory swapped for a link
 * while cp walks the tree would make cp read through the link, into the host's files or another tenant's
 * volume, and write what it found into the tenant's new copy. So the command runs in a private mount
 * namespace ({@code unshare --mount}) on a fresh tmpfs root holding only the source (read-only, at
 * {@link #FROM}), the target (at {@link #TO}) and the read-only system directories the program needs
 * (script: {@code confined.sh} beside this class). A link, whenever it is made and wherever it points,
 * resolves inside that root. The paths reach the script as positional arguments, never as shell text.
 * The mounts exist only in that namespace and vanish with its last process, killed or not.
 *
 * <p>Bind mounts of one filesystem still clone: cp's FICLONE between two mounts of one filesystem works
 * from Linux 5.18 on; {@link ReflinkProbe} probes through this same confinement, so an older kernel copies bytes.
 */
public final class ConfinedCommand {
    /** Where the source tree is seen by the confined command. */
    public static final String FROM = "/from";
    /** Where the target tree is seen by the confined command. */
    public static final String TO = "/to";
    private static final String SCRIPT = load("confined.sh");
    /** Setting up a namespace takes a fraction of a second; one that has not answered by then never will. */
    private static final Duration CHECK_LIMIT = Duration.ofSeconds(30);

    /** The service cannot confine a copy; it refuses to copy rather than copy unconfined. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    private final String unshare;
    private final String shell;
    private final ProcessRunner runner = new ProcessRunner();
    private volatile boolean available;

    public ConfinedCommand() {
        this("unshare", "/bin/sh");
    }

    public ConfinedCommand(String unshare, String shell) {
        this.unshare = unshare;
        this.shell = shell;
    }

    /**
     * The command that runs {@code program} with its arguments confined to the two trees.
     *
     * @param from the source tree on the host, bound read-only at {@link #FROM}
     * @param to   the target tree on the host, bound at {@link #TO}; null where the command only reads
     * @param program the program and its arguments as seen inside: paths under {@link #FROM} and {@link #TO}
     */
    public List<String> command(String from, String to, List<String> program) {
        Objects.requireNonNull(from, "from");
        if (program.isEmpty()) {
            throw new IllegalArgumentException("no program to run confined");
        }
        List<String> cmd = new ArrayList<>(List.of(unshare, "--mount", "--propagation", "private", "--",
                shell, "-c", SCRIPT, "confined", from, to == null ? "" : to));
        cmd.addAll(program);
        return cmd;
    }

    /**
     * Refuses, before anything is changed, where this service cannot make a mount namespace of its own (not
     * root, or without CAP_SYS_ADMIN, or no unshare): copying unconfined is what the confinement exists to
     * prevent. Checked until it once succeeds.
     *
     * @throws Unavailable naming what failed
     */
    public void requireAvailable() {
        if (available) {
            return;
        }
        ProcessRunner.Result r;
        try {
            r = runner.run(List.of(unshare, "--mount", "--propagation", "private", "--", shell, "-c", "exit 0"), CHECK_LIMIT);
        } catch (RuntimeException e) {
            throw new Unavailable(unavailable(e.getMessage()));
        }
        if (!r.succeeded()) {
            throw new Unavailable(unavailable(r.stderr().isBlank() ? "exit " + r.exitCode() : r.stderr().strip()));
        }
        available = true;
    }

    private static String unavailable(String why) {
        return "copies run confined to the trees they copy, in a mount namespace of their own, and this service cannot make one ("
                + why + "); it must run as root (with CAP_SYS_ADMIN) on the Docker host, so nothing was copied";
    }

    private static String load(String resource) {
        try (InputStream in = ConfinedCommand.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the script " + resource + " is missing beside " + ConfinedCommand.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
