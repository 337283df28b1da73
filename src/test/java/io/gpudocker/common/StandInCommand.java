package io.gpudocker.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes an executable shell script that stands in for a system command (cp, du, nvidia-smi) in tests. */
public final class StandInCommand {
    private StandInCommand() {}

    /** @return the script's path, to pass where the real command's name would go */
    public static String write(Path dir, String name, String body) throws IOException {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script.toString();
    }
}
