package io.gpudocker.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The mounts on this host, as /proc/self/mountinfo lists them, at or below a directory. */
final class BindMountsLeft {
    private BindMountsLeft() {}

    static List<String> below(Path dir) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.split(" ")[4].replace("\\040", " "))
                    .filter(mountPoint -> Path.of(mountPoint).startsWith(dir) && !Path.of(mountPoint).equals(dir))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
