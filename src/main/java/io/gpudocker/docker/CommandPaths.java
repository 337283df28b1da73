package io.gpudocker.docker;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a container's program may be, as {@code execvp} looks for it: a name with a slash is a path (relative to
 * the working directory), any other name is looked for in each directory of the container's PATH.
 */
final class CommandPaths {
    /** The PATH Docker gives a container whose image sets none. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private CommandPaths() {}

    /** @param env the container's environment ("K=V"), which holds the image's PATH */
    static List<String> candidates(String program, List<String> env, String workingDir) {
        if (program.startsWith("/")) {
            return List.of(program);
        }
        if (program.contains("/")) {
            String dir = workingDir == null || workingDir.isEmpty() ? "/" : workingDir;
            return List.of(dir.endsWith("/") ? dir + program : dir + "/" + program);
        }
        String path = env.stream().filter(e -> e.startsWith("PATH=")).map(e -> e.substring(5)).reduce((a, b) -> b).orElse(DEFAULT_PATH);
        List<String> out = new ArrayList<>();
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                out.add(dir.endsWith("/") ? dir + program : dir + "/" + program);
            }
        }
        return out;
    }
}
