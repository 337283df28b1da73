package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.docker.BindMounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The race a tenant who can write below an allowed root runs against a bind's start: the bound directory flips
 * between itself and a link to the host's root while the instance starts, so that a check of the path sees the
 * directory and whatever resolves the path after it (Docker, a mount) follows the link. The flips are the renames
 * the tenant makes through an instance that binds the directory above; the test makes them from the host, at a
 * pace a shell inside an instance could not keep, so that the window between a check and the mount is hit within
 * a few starts where it exists.
 */
class HostileBindRaceIT extends IntegrationTestBase {
    private static final int STARTS = 25;
    private static final Path ROOT = tempDirectory("gda-it-race-root");
    private static final Path HOST_ONLY = tempDirectory("gda-it-race-host-only");
    /** Where this service mounts binds for Docker (its own directory below the state directory's binds/). */
    private static volatile Path bindsDirectory = Path.of("/var/lib/gpu-docker-api/binds");

    @Autowired
    BindMounts bindMounts;

    @DynamicPropertySource
    static void allowedRoots(DynamicPropertyRegistry registry) {
        registry.add("gda.binds.allowed-roots", ROOT::toString);
    }

    @AfterAll
    static void removeDirectoriesAndCheckNoMountIsLeft() throws IOException {
        for (Path dir : List.of(ROOT, HOST_ONLY)) {
            // Files.walk does not follow links: a planted link is removed, never what it names
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        assertThat(BindMountsLeft.below(bindsDirectory)).as("bind mounts left on the host").isEmpty();
    }

    @Test
    void aDirectoryFlippingToALinkWhileTheInstanceStartsNeverMountsTheHostRoot() throws Exception {
        bindsDirectory = bindMounts.directory();
        Files.writeString(HOST_ONLY.resolve("marker"), "host only\n");
        Path a = Files.createDirectories(ROOT.resolve("a-" + System.nanoTime()));
        Path x = Files.createDirectories(a.resolve("x"));
        Files.writeString(x.resolve("tenant-file"), "the tenant's\n");
        String victim = name("victim");
        Map<String, Object> body = createBody(victim, 0, SLEEP, List.of());
        body.put("binds", List.of(Map.of("src", x.toString(), "dest", "/data")));
        Api.Reply created = api.post("/replicaSet", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);

        List<String> answers = new ArrayList<>();
        long flips = 0;
        boolean escaped = false;
        for (int i = 0; i < STARTS && !escaped; i++) {
            stopped(victim);
            Flipper flipper = new Flipper(a);
            Thread t = new Thread(flipper, "bind-flipper");
            t.start();
            Api.Reply resumed;
            try {
                resumed = api.patch("/replicaSet/" + victim + "/continue", null);
            } finally {
                flipper.stop.set(true);
                t.join();
                flipper.restore();
            }
            flips += flipper.flips.get();
            answers.add(resumed.status() + (resumed.status() == 200 ? "" : " " + resumed.msg()));
            assertThat(resumed.status()).as(resumed.toString()).isIn(200, 400);
            if (engine.inspect(victim + "-1").orElseThrow().running()) {
                escaped = !exec(victim, "cat /data" + HOST_ONLY + "/marker 2>/dev/null; true").isEmpty();
            } else {
                assertThat(resumed.msg()).as("a refused start says why without saying where a link leads")
                        .contains("/data").doesNotContain(HOST_ONLY.toString(), "'/'");
            }
        }
        assertThat(flips).as("the directory flipped while the instance started").isGreaterThan(STARTS);
        assertThat(escaped).as("the host's root mounted at /data after %s", answers).isFalse();

        stopped(victim);
        Api.Reply repaired = api.patch("/replicaSet/" + victim + "/continue", null);
        assertThat(repaired.status()).as("once the directory holds still: %s", repaired).isEqualTo(200);
        assertThat(exec(victim, "cat /data/tenant-file")).isEqualTo("the tenant's\n");
    }

    @Test
    void aBindIsMountedNosuidNodevAndMountedAgainAfterItsMountVanished() throws Exception {
        bindsDirectory = bindMounts.directory();
        Path dir = Files.createDirectories(ROOT.resolve("kept-" + System.nanoTime()));
        Files.writeString(dir.resolve("tenant-file"), "kept\n");
        String name = name("kept");
        Map<String, Object> body = createBody(name, 0, SLEEP, List.of());
        body.put("binds", List.of(Map.of("src", dir.toString(), "dest", "/data")));
        Api.Reply created = api.post("/replicaSet", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);

        assertThat(exec(name, "grep ' /data ' /proc/self/mountinfo")).contains("nosuid", "nodev");
        List<String> mounted = BindMountsLeft.below(bindsDirectory);
        assertThat(mounted).as("the service's own mount of the bind").hasSize(1);
        assertThat(exec(name, "cat /data/tenant-file")).isEqualTo("kept\n");

        // what a reboot does: Docker's containers stopped, the service's mounts gone
        docker("kill", name + "-1");
        assertThat(new ProcessBuilder("umount", mounted.get(0)).inheritIO().start().waitFor()).isZero();
        stopped(name);
        Api.Reply resumed = api.patch("/replicaSet/" + name + "/continue", null);

        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
        assertThat(exec(name, "cat /data/tenant-file")).as("the bind mounted again before the start").isEqualTo("kept\n");
        stopped(name);
        assertThat(BindMountsLeft.below(bindsDirectory)).as("a stop takes the mount down").isEmpty();
    }

    private static void docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker", "-H", System.getenv().getOrDefault("GDA_DOCKER_HOST", "unix:///var/run/docker.sock")));
        command.addAll(List.of(args));
        assertThat(new ProcessBuilder(command).inheritIO().start().waitFor()).as("%s", command).isZero();
    }

    /** Paused (its container stopped), whether it ran or a refused start left it paused. */
    private void stopped(String name) {
        if (!api.get("/replicaSet/" + name).data().path("state").asString().equals("paused")) {
            Api.Reply paused = api.patch("/replicaSet/" + name + "/pause", null);
            assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        }
    }

    /**
     * Renames {@code a/x} (the bound directory) away, a link to '/' in its place, and back, as fast as it can. Between
     * the renames x is missing, which a check passes too (Docker would create it); a start that created it meanwhile
     * leaves an empty directory, which is removed so that the flips go on.
     */
    private static final class Flipper implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong flips = new AtomicLong();
        private final Path x;
        private final Path parked;
        private final Path link;

        Flipper(Path a) throws IOException {
            this.x = a.resolve("x");
            this.parked = a.resolve("x-parked");
            this.link = a.resolve("x-link");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of("/"));
        }

        @Override
        public void run() {
            while (!stop.get()) {
                boolean flipped = rename(x, parked) & rename(link, x);
                rename(x, link);
                rename(parked, x);
                if (flipped) {
                    flips.incrementAndGet();
                }
                if (Files.isDirectory(parked, LinkOption.NOFOLLOW_LINKS) && Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS)) {
                    removeQuietly(x);
                }
            }
        }

        /** x the tenant's directory again, the link gone. */
        void restore() throws IOException {
            if (Files.isSymbolicLink(x)) {
                Files.delete(x);
            }
            if (Files.isDirectory(parked, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(x);
                }
                Files.move(parked, x, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.deleteIfExists(link);
            assertThat(x.resolve("tenant-file")).exists();
        }

        private static boolean rename(Path from, Path to) {
            try {
                // rename(2) itself: it does not replace what exists, except an empty directory by a directory
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        private static void removeQuietly(Path emptyDirectory) {
            try {
                Files.delete(emptyDirectory);
            } catch (IOException notEmptyOrGone) {
                // the next round tries again
            }
        }
    }

    private static Path tempDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix).toRealPath();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
