package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks user input before anything is reserved or created, with the original's error codes. */
public final class SpecValidator {
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]+");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*=.*", Pattern.DOTALL);
    private static final Pattern PORT = Pattern.compile("(\\d{1,5})(/(tcp|udp|sctp))?");
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@\\-]*");
    private static final int MAX_NAME = 128;

    private SpecValidator() {}

    public static void name(String name) {
        if (name == null || name.isBlank()) {
            throw new ApiException(ErrorCode.REPLICASET_NAME_EMPTY, "replicaSetName cannot be empty");
        }
        if (name.contains("-")) {
            throw ApiException.of(ErrorCode.REPLICASET_NAME_INVALID, "replicaSetName '%s' cannot contain '-' (it separates the name from the version in container names)", name);
        }
        if (!NAME.matcher(name).matches() || name.length() > MAX_NAME || name.startsWith(".")) {
            throw ApiException.of(ErrorCode.REPLICASET_NAME_INVALID, "replicaSetName '%s' may only contain letters, digits, '_' and '.', must not start with '.', and is at most %d characters", name, MAX_NAME);
        }
    }

    public static void image(String image) {
        if (image == null || image.isBlank()) {
            throw new ApiException(ErrorCode.IMAGE_NAME_EMPTY, "imageName cannot be empty");
        }
        if (!IMAGE.matcher(image).matches() || image.length() > 255) {
            throw ApiException.of(ErrorCode.INVALID_PARAMS, "imageName '%s' is not a valid image reference", image);
        }
    }

    public static int gpuCount(Integer count, int hostGpus) {
        int n = count == null ? 0 : count;
        if (n < 0) {
            throw ApiException.of(ErrorCode.GPU_COUNT_INVALID, "gpuCount must be >= 0, got %d", n);
        }
        if (n > hostGpus) {
            throw ApiException.of(ErrorCode.GPU_COUNT_INVALID, "gpuCount %d exceeds the %d GPU(s) this host has", n, hostGpus);
        }
        return n;
    }

    public static void binds(List<Bind> binds) {
        Set<String> dests = new HashSet<>();
        for (Bind b : binds == null ? List.<Bind>of() : binds) {
            bind(b, "binds");
            if (!dests.add(normalize(b.dest()))) {
                throw ApiException.of(ErrorCode.BIND_INVALID, "binds: dest '%s' is mounted twice", b.dest());
            }
        }
    }

    public static void bind(Bind b, String field) {
        if (b == null || b.src() == null || b.src().isBlank() || b.dest() == null || b.dest().isBlank()) {
            throw ApiException.of(ErrorCode.BIND_INVALID, "%s: every bind needs a non-empty src and dest", field);
        }
        if (!b.dest().startsWith("/")) {
            throw ApiException.of(ErrorCode.BIND_INVALID, "%s: dest '%s' must be an absolute path", field, b.dest());
        }
        if (normalize(b.dest()).equals("/")) {
            throw ApiException.of(ErrorCode.BIND_INVALID, "%s: dest '/' would hide the system disk; mount below it", field);
        }
        if (b.src().contains(":") || b.dest().contains(":") || b.src().contains(",") || b.dest().contains("..")) {
            throw ApiException.of(ErrorCode.BIND_INVALID, "%s: '%s' -> '%s' contains ':', ',' or '..'", field, b.src(), b.dest());
        }
        if (!b.isHostPath() && !NAME.matcher(b.src().replace("-", "")).matches()) {
            throw ApiException.of(ErrorCode.BIND_INVALID, "%s: src '%s' is neither an absolute host path nor a volume name", field, b.src());
        }
    }

    public static void env(List<String> env) {
        for (String e : env == null ? List.<String>of() : env) {
            if (e == null || !ENV.matcher(e).matches()) {
                throw ApiException.of(ErrorCode.INVALID_PARAMS, "env entry '%s' must look like KEY=value", e);
            }
        }
    }

    /** Normalises "22" to "22/tcp" and rejects anything that is not a port. */
    public static List<String> containerPorts(List<String> ports) {
        Set<String> seen = new HashSet<>();
        for (String p : ports == null ? List.<String>of() : ports) {
            var m = p == null ? null : PORT.matcher(p.trim());
            if (m == null || !m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(1)) > 65535) {
                throw ApiException.of(ErrorCode.INVALID_PARAMS, "containerPorts entry '%s' must be a port 1-65535, optionally with /tcp or /udp", p);
            }
            if (!seen.add(m.group(1) + "/" + (m.group(3) == null ? "tcp" : m.group(3)))) {
                throw ApiException.of(ErrorCode.INVALID_PARAMS, "containerPorts entry '%s' is listed twice", p);
            }
        }
        return (ports == null ? List.<String>of() : ports).stream().map(p -> p.trim().contains("/") ? p.trim() : p.trim() + "/tcp").toList();
    }

    public static void cmd(List<String> cmd) {
        if (cmd != null && cmd.stream().anyMatch(c -> c == null)) {
            throw new ApiException(ErrorCode.INVALID_PARAMS, "cmd entries cannot be null");
        }
    }

    public static void newImageName(String image) {
        if (image == null || image.isBlank()) {
            throw new ApiException(ErrorCode.IMAGE_NAME_EMPTY, "newImageName cannot be empty");
        }
        if (!image.matches("[a-z0-9]+([._\\-]+[a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._\\-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,127})?")) {
            throw ApiException.of(ErrorCode.INVALID_PARAMS, "newImageName '%s' is not a valid image name (lower-case repository, optional :tag)", image);
        }
    }

    private static String normalize(String path) {
        String p = path.replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
