package io.gpudocker.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The mounts of this process's mount namespace, as /proc/self/mountinfo lists them, oldest first. */
record MountTable(List<Mount> mounts) {
    private static final Path SELF = Path.of("/proc/self/mountinfo");
    private static final Pattern ESCAPED = Pattern.compile("\\\\([0-7]{3})");

    /**
     * One line of mountinfo.
     *
     * @param device     the filesystem's major:minor
     * @param root       the directory of that filesystem that the mount shows at its mount point: for a bind mount,
     *                   the directory that was bound, named from the filesystem's own root
     * @param options    the mount's own options (rw/ro, nosuid, nodev, ...)
     */
    record Mount(String device, String root, Path mountPoint, List<String> options) {}

    static MountTable read() {
        try {
            return parse(Files.readAllLines(SELF));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SELF, e);
        }
    }

    static MountTable parse(List<String> lines) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length < 6) {
                continue;
            }
            mounts.add(new Mount(f[2], unescape(f[3]), Path.of(unescape(f[4])), List.of(f[5].split(","))));
        }
        return new MountTable(List.copyOf(mounts));
    }

    /** The mount on top at {@code mountPoint}, if one is there. */
    Optional<Mount> at(Path mountPoint) {
        Mount top = null;
        for (Mount m : mounts) {
            if (m.mountPoint().equals(mountPoint)) {
                top = m;
            }
        }
        return Optional.ofNullable(top);
    }

    /** The mount that holds {@code path} (a path free of links): the one on top at the nearest mount point above it. */
    Mount holding(Path path) {
        Mount best = null;
        for (Mount m : mounts) {
            if (path.startsWith(m.mountPoint()) && (best == null || m.mountPoint().getNameCount() >= best.mountPoint().getNameCount())) {
                best = m;
            }
        }
        if (best == null) {
            throw new IllegalStateException("no mount holds " + path);
        }
        return best;
    }

    /** What a bind mount of {@code path} shows as its root: the path seen from the root of the filesystem that holds it. */
    String rootOf(Path path) {
        Mount holder = holding(path);
        Path relative = holder.mountPoint().relativize(path);
        Path root = Path.of(holder.root()).resolve(relative).normalize();
        return root.toString();
    }

    /** The mount points at or below {@code dir}. */
    List<Path> below(Path dir) {
        return mounts.stream().map(Mount::mountPoint).filter(p -> p.startsWith(dir)).distinct().toList();
    }

    /** mountinfo writes a space, tab, newline and backslash in a path as an octal escape. */
    private static String unescape(String field) {
        Matcher m = ESCAPED.matcher(field);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 8))));
        }
        m.appendTail(out);
        return out.toString();
    }
}
