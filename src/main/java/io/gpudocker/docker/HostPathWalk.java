package io.gpudocker.docker;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A bind's host path taken apart one name at a time from '/', each looked at without following it: a symbolic link at
 * any position, a '.' or '..', or anything but a directory above the last name is refused. What does not exist yet is
 * made as a directory, as Docker would have made it, and looked at again, so a link put there meanwhile is refused too.
 * Java cannot open a path relative to a directory it holds open, so a name may still be swapped after it was looked
 * at; {@link BindMounts} therefore checks the mount it makes against the identity found here.
 */
final class HostPathWalk {
    private HostPathWalk() {}

    /**
     * What the walk found at the end of the path.
     *
     * @param device    the filesystem's device number, as stat(2) tells it
     * @param inode     the inode on it: with the device, which directory or file it is, wherever it is reached from
     * @param directory false for a regular file (a file bound on its own)
     */
    record Walked(Path path, long device, long inode, boolean directory) {}

    /** Why a path was refused; the message names no more of the host than the path it was given. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    static Walked walk(String hostPath) throws Refused {
        if (!hostPath.startsWith("/")) {
            throw new Refused("'" + hostPath + "' is not an absolute path");
        }
        String trimmed = hostPath.length() > 1 && hostPath.endsWith("/") ? hostPath.substring(0, hostPath.length() - 1) : hostPath;
        if (trimmed.equals("/")) {
            throw new Refused("'" + hostPath + "' names the host's root directory");
        }
        String[] names = trimmed.substring(1).split("/", -1);
        Path at = Path.of("/");
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                throw new Refused("'" + hostPath + "' has an empty, '.' or '..' component");
            }
            at = at.resolve(name);
            Map<String, Object> attrs = lookOrMake(at, hostPath);
            if ((boolean) attrs.get("isSymbolicLink")) {
                throw new Refused("'" + hostPath + "' leads through a symbolic link");
            }
            boolean directory = (boolean) attrs.get("isDirectory");
            boolean last = i == names.length - 1;
            if (!directory && !(last && (boolean) attrs.get("isRegularFile"))) {
                throw new Refused("'" + hostPath + "' leads through something that is neither a directory nor, at its end, a regular file");
            }
            if (last) {
                return new Walked(at, ((Number) attrs.get("dev")).longValue(), ((Number) attrs.get("ino")).longValue(), directory);
            }
        }
        throw new IllegalStateException("unreachable: a path of at least one name ends in the loop");
    }

    private static Map<String, Object> lookOrMake(Path at, String hostPath) throws Refused {
        try {
            return look(at);
        } catch (NoSuchFileException missing) {
            try {
                // never follows: fails on whatever took the name meanwhile, a link included
                Files.createDirectory(at);
            } catch (FileAlreadyExistsException raced) {
                // looked at again below
            } catch (IOException e) {
                throw new Refused("'" + hostPath + "' could not be made: " + e.getClass().getSimpleName());
            }
            try {
                return look(at);
            } catch (IOException e) {
                throw new Refused("'" + hostPath + "' changed while it was looked at");
            }
        } catch (IOException unreadable) {
            throw new Refused("'" + hostPath + "' cannot be looked at: " + unreadable.getClass().getSimpleName());
        }
    }

    private static Map<String, Object> look(Path at) throws IOException {
        return Files.readAttributes(at, "unix:dev,ino,isSymbolicLink,isDirectory,isRegularFile", LinkOption.NOFOLLOW_LINKS);
    }
}
