package io.gpudocker.common;

import io.gpudocker.copy.ConfinedCommand;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@link ConfinedCommand} for unit tests of the copiers with stand-in programs: its stand-in for unshare runs
 * the program on the host, with /from and /to turned back into the paths they stand for. The confinement itself
 * is tested against the real unshare in ConfinedCommandTest.
 */
public final class StandInConfinement {
    private StandInConfinement() {}

    public static ConfinedCommand write(Path dir) throws IOException {
        String unshare = StandInCommand.write(dir, "unshare", String.join("\n",
                "[ \"$7\" = 'exit 0' ] && exit 0",
                "from=$9; to=${10}; shift 10",
                "for a do shift; case \"$a\" in /from) a=$from;; /from/*) a=$from${a#/from};; /to) a=$to;; /to/*) a=$to${a#/to};; esac; set -- \"$@\" \"$a\"; done",
                "exec \"$@\""));
        return new ConfinedCommand(unshare, "/bin/sh");
    }

    /** A confinement this service cannot make, as without CAP_SYS_ADMIN. */
    public static ConfinedCommand refused(Path dir) throws IOException {
        return new ConfinedCommand(StandInCommand.write(dir, "unshare-refused", "echo 'unshare: unshare failed: Operation not permitted' >&2; exit 1"), "/bin/sh");
    }
}
