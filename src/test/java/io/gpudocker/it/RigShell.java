package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The command-line tools the multi-node tests look behind the service with: docker per engine, etcdctl. */
final class RigShell {
    private RigShell() {}

    /** Runs a command with {@code extraEnv} added; its output, or a failed assertion naming the command and its output. */
    static String run(Map<String, String> extraEnv, String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(extraEnv);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("%s: %s", String.join(" ", cmd), out).isZero();
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The docker CLI against the engine at {@code dockerHost}. */
    static String docker(String dockerHost, String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        return run(Map.of("DOCKER_HOST", dockerHost), cmd.toArray(String[]::new));
    }

    static List<String> etcdKeys(String etcd, String prefix) {
        String out = run(Map.of("ETCDCTL_API", "3"), "etcdctl", "--endpoints", etcd, "get", "--prefix", "--keys-only", prefix);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /** Everything a previous run may have left under {@code prefix}: its etcd keys, and its containers and volumes in every engine. */
    static void wipe(String etcd, Map<String, String> engines, String prefix) {
        run(Map.of("ETCDCTL_API", "3"), "etcdctl", "--endpoints", etcd, "del", "--prefix", prefix + "/");
        for (String engine : engines.values()) {
            run(Map.of("DOCKER_HOST", engine), "sh", "-c",
                    "ids=$(docker ps -aq --filter label=io.gpudocker.owner=" + prefix + "); [ -z \"$ids\" ] || docker rm -f $ids >/dev/null;"
                            + " vs=$(docker volume ls -q --filter label=io.gpudocker.owner=" + prefix + "); [ -z \"$vs\" ] || docker volume rm -f $vs >/dev/null");
        }
    }
}
