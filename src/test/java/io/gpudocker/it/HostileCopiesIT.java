package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant swaps a directory of its own tree for a link to the host while root copies that tree: a volume's
 * data into its resized version, a container's layer into its next version. Each attacked directory holds a
 * large file {@code big} (cp copies it before the other entry); the swap happens while cp is busy
 * with it, after cp has listed the directory and before it opens the next entry by its path through the
 * directory. One directory is swapped for a link to a host directory holding a marker file of the same name as
 * the tenant's other entry, one for a link to {@code /} while it lists an {@code etc}. The moment comes from
 * the test, which watches the copy reach {@code big} in the new version: the tenant could read it from big's
 * access time where the copy reads a writable mount, or find it by trying again and again. Whatever the copy
 * does then (it may refuse), the new version must hold neither the marker nor the host's /etc.
 */
class HostileCopiesIT extends IntegrationTestBase {
    /** Large enough that cp is still reading it when the swap, which watches its access time, is done. */
    private static final int BIG_MIB = 512;
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    /** A thread for each watcher: the common pool may have one thread only, and the watchers wait side by side. */
    private final ExecutorService watchers = Executors.newCachedThreadPool();
    private Path secretDir;
    private String secret;
    private String volume;

    @BeforeEach
    void hostSecret() throws IOException {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        secretDir = Files.createDirectory(Path.of("/tmp/gda-secret-" + id));
        secret = "gda-host-secret-" + id;
        Files.writeString(secretDir.resolve("secret.txt"), secret + "\n");
    }

    @AfterEach
    void removeVolumeAndSecret() throws IOException {
        watchers.shutdownNow();
        deleteReplicaSets();
        if (volume != null) {
            Api.Reply r = api.delete("/volumes/" + volume);
            assertThat(r.status()).as("delete volume %s: %s", volume, r).isIn(200, 404);
            for (int n = 1; n <= 3; n++) {
                assertThat(volumeEngine.inspectVolume(volume + "-" + n)).as("Docker volume %s-%d", volume, n).isEmpty();
            }
        }
        removeTree(secretDir);
    }

    @Test
    void aVolumeResizedWhileTheTenantSwapsDirectoriesForLinksHoldsNothingOfTheHost() throws Exception {
        volume = "hostile" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        assertThat(api.post("/volumes", Map.of("name", volume, "size", "2GB")).status()).isEqualTo(200);
        String tenant = name("tenant");
        Map<String, Object> body = createBody(tenant, 0, SLEEP, List.of());
        body.put("binds", List.of(Map.of("src", volume + "-1", "dest", "/data")));
        assertThat(api.post("/replicaSet", body).status()).isEqualTo(200);
        exec(tenant, "cd /data && " + stage("secret", "secret.txt"));
        exec(tenant, "cd /data && " + stage("slash", "etc") + " && ln -s " + secretDir + " prestaged");
        // inside the instance: on the signal, swap the directory for a link to the host
        exec(tenant, swapper("/data/secret", secretDir.toString()) + " " + swapper("/data/slash", "/"));
        // the signal goes through the volume itself: a file the host writes there shows at once inside
        Path signals = volumeData(volume + "-1").orElseThrow();
        CompletableFuture<Boolean> secretSignal = CompletableFuture.supplyAsync(() -> whenCopyReaches(
                () -> volumeData(volume + "-2"), "secret/big", () -> touch(signals.resolve(".go-secret"))), watchers);
        CompletableFuture<Boolean> slashSignal = CompletableFuture.supplyAsync(() -> whenCopyReaches(
                () -> volumeData(volume + "-2"), "slash/big", () -> touch(signals.resolve(".go-slash"))), watchers);

        // force: the admin copies beside the running instance (without force it is frozen and cannot race)
        Api.Reply resized = api.patch("/volumes/" + volume + "/size?force=true", Map.of("size", "3GB"));

        assertThat(secretSignal.get()).as("the copy reached secret/big (resize: %s)", resized).isTrue();
        assertThat(slashSignal.get()).as("the copy reached slash/big (resize: %s)", resized).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(exec(tenant, "cat /root/swapped-secret /root/swapped-slash 2>&1; true"))
                .as("both swaps happened (resize: %s)", resized).isEqualTo("swapped\nswapped\n"));
        if (resized.status() == 200) {
            Path copied = Path.of(volumeEngine.inspectVolume(volume + "-2").orElseThrow().mountpoint());
            assertNothingOfTheHostIn(copied);
            assertThat(Files.isSymbolicLink(copied.resolve("prestaged"))).as("a link is copied as a link").isTrue();
        } else {
            assertThat(volumeEngine.inspectVolume(volume + "-2")).as("a refused copy leaves no new version").isEmpty();
        }
    }

    /**
     * The system disk is copied after the old container has stopped, so nothing inside it can race the copy;
     * the racer here stands on the host in the container's layer, in place of any writer the copy did not stop.
     */
    @Test
    void aSystemDiskCopiedWhileItsDirectoriesAreSwappedForLinksHoldsNothingOfTheHost() throws Exception {
        String tenant = name("disk");
        create(tenant, 0);
        exec(tenant, "mkdir -p /root/attack && cd /root/attack && " + stage("secret", "secret.txt"));
        exec(tenant, "cd /root/attack && " + stage("slash", "etc"));
        Path layer = Path.of(engine.inspect(tenant + "-1").orElseThrow().upperDir()).resolve("root/attack");
        CompletableFuture<Boolean> secretSwap = CompletableFuture.supplyAsync(() -> whenCopyReaches(
                () -> newLayer(tenant + "-2"), "root/attack/secret/big", () -> swap(layer.resolve("secret"), secretDir)), watchers);
        CompletableFuture<Boolean> slashSwap = CompletableFuture.supplyAsync(() -> whenCopyReaches(
                () -> newLayer(tenant + "-2"), "root/attack/slash/big", () -> swap(layer.resolve("slash"), Path.of("/"))), watchers);

        Api.Reply updated = api.patch("/replicaSet/" + tenant, Map.of());

        assertThat(secretSwap.get()).as("the secret swap happened during the copy (update: %s)", updated).isTrue();
        assertThat(slashSwap.get()).as("the / swap happened during the copy (update: %s)", updated).isTrue();
        if (updated.status() == 200) {
            assertNothingOfTheHostIn(Path.of(engine.inspect(tenant + "-2").orElseThrow().upperDir()).resolve("root/attack"));
        } else {
            assertThat(engine.inspect(tenant + "-2")).as("a refused copy leaves no new container").isEmpty();
            assertThat(engine.inspect(tenant + "-1").orElseThrow().running()).as("the old version runs again").isTrue();
        }
    }

    /**
     * A directory {@code dir} holding {@code big} and an entry {@code bait} that cp reaches after big: cp takes a
     * directory's entries in the order of their inode numbers, and a filesystem hands out freed low numbers
     * again, so a bait that came out below big is moved aside (keeping its number taken) and made anew.
     */
    private static String stage(String dir, String bait) {
        String makeBait = bait.equals("etc") ? "mkdir " + dir + "/etc" : "echo tenant > " + dir + "/" + bait;
        return "mkdir " + dir + " && : > " + dir + "/big && " + makeBait + " && n=0 && while [ $(stat -c %i " + dir + "/" + bait + ") -lt $(stat -c %i "
                + dir + "/big) ]; do n=$((n+1)); mv " + dir + "/" + bait + " .spare-" + dir + "-$n && " + makeBait + " || exit 1; done"
                + " && dd if=/dev/zero of=" + dir + "/big bs=1M count=" + BIG_MIB + " conv=notrunc 2>/dev/null";
    }

    /** A detached loop in the instance that swaps {@code dir} for a link to {@code target} on the signal /data/.go-NAME. */
    private static String swapper(String dir, String target) {
        String name = dir.substring(dir.lastIndexOf('/') + 1);
        String loop = "while [ ! -e /data/.go-" + name + " ]; do usleep 500; done; "
                + "mv " + dir + " " + dir + ".real && ln -s " + target + " " + dir + " && echo swapped > /root/swapped-" + name;
        return "setsid sh -c '" + loop + "' >/dev/null 2>&1 &";
    }

    /**
     * Once the copy has begun to write {@code file} under the new version's tree, does {@code act}; false when it
     * never did within the patience. The tree is looked up once (through Docker, slow), the file watched closely.
     */
    private static boolean whenCopyReaches(Supplier<Optional<Path>> newTree, String file, Runnable act) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Optional<Path> tree = Optional.empty();
        while (tree.isEmpty() && System.nanoTime() < deadline) {
            tree = newTree.get();
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        while (tree.isPresent() && System.nanoTime() < deadline) {
            if (Files.exists(tree.get().resolve(file), LinkOption.NOFOLLOW_LINKS)) {
                act.run();
                return true;
            }
            LockSupport.parkNanos(100_000);
        }
        return false;
    }

    private Optional<Path> volumeData(String dockerName) {
        return volumeEngine.inspectVolume(dockerName).map(v -> Path.of(v.mountpoint()));
    }

    private Optional<Path> newLayer(String container) {
        return engine.inspect(container).map(c -> c.upperDir()).filter(java.util.Objects::nonNull).map(Path::of);
    }

    /** On the host: moves {@code dir} aside and puts a link to {@code target} in its place. */
    private static void swap(Path dir, Path target) {
        try {
            Files.move(dir, dir.resolveSibling(dir.getFileName() + ".real"));
            Files.createSymbolicLink(dir, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void touch(Path file) {
        try {
            Files.writeString(file, "go\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void assertNothingOfTheHostIn(Path copied) throws IOException {
        List<Path> leaked = new ArrayList<>();
        try (Stream<Path> files = Files.walk(copied)) {
            for (Path p : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                if (Files.size(p) < 4096 && new String(Files.readAllBytes(p), StandardCharsets.UTF_8).contains(secret)) {
                    leaked.add(p);
                }
            }
        }
        if (Files.exists(copied.resolve("slash/etc/passwd"), LinkOption.NOFOLLOW_LINKS)) {
            leaked.add(copied.resolve("slash/etc/passwd"));
        }
        assertThat(leaked).as("copies of the host's %s/secret.txt or /etc/passwd in %s", secretDir, copied).isEmpty();
    }

    private static void removeTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // Files.walk does not follow links: a planted link is removed, never what it names
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
