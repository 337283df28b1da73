package io.gpudocker.volume;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.util.regex.Pattern;

/** Volume names as the original checks them, and the versioned Docker names made from them. */
public final class VolumeNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]+");
    private static final int MAX_NAME = 128;

    private VolumeNames() {}

    public static void validate(String name) {
        if (name == null || name.isBlank()) {
            throw new ApiException(ErrorCode.VOLUME_NAME_EMPTY, "volume name cannot be empty");
        }
        if (name.startsWith("/")) {
            throw ApiException.of(ErrorCode.VOLUME_NAME_SLASH, "volume name '%s' must not begin with '/' (that would be a host path, not a volume)", name);
        }
        if (name.contains("-")) {
            throw ApiException.of(ErrorCode.VOLUME_NAME_INVALID, "volume name '%s' cannot contain '-' (it separates the name from the version in Docker volume names)", name);
        }
        if (!NAME.matcher(name).matches() || name.length() > MAX_NAME || name.startsWith(".")) {
            throw ApiException.of(ErrorCode.VOLUME_NAME_INVALID, "volume name '%s' may only contain letters, digits, '_' and '.', must not start with '.', and is at most %d characters", name, MAX_NAME);
        }
    }

    /** Version N of volume {@code data} is the Docker volume {@code data-N}. */
    public static String dockerName(String name, long version) { return name + "-" + version; }

    /** Volumes lock in their own namespace, so a volume and a replicaset of the same name do not wait for each other. */
    static String lockKey(String name) { return "volume:" + name; }
}
