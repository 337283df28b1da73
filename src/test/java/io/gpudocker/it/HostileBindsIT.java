package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A tenant who can write below an allowed root plays its binds against the host: a directory swapped for a link
 * while an instance is paused, links and protected directories named at create, device nodes and raw sockets
 * from inside. The roots are a directory this test makes and, as a careless operator might list it, the host's
 * root itself.
 */
class HostileBindsIT extends IntegrationTestBase {
    private static final Path ROOT = tempDirectory("gda-it-hostile-root");
    private static final Path HOST_ONLY = tempDirectory("gda-it-host-only");

    @DynamicPropertySource
    static void allowedRoots(DynamicPropertyRegistry registry) {
        registry.add("gda.binds.allowed-roots", () -> ROOT + ",/");
    }

    @AfterAll
    static void removeDirectories() throws IOException {
        for (Path dir : List.of(ROOT, HOST_ONLY)) {
            // Files.walk does not follow links: a planted link is removed, never what it names
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void aDirectorySwappedForALinkWhilePausedIsNotMountedOnContinue() throws IOException {
        Files.writeString(HOST_ONLY.resolve("marker"), "host only\n");
        Path a = Files.createDirectories(ROOT.resolve("a-" + System.nanoTime()));
        Files.createDirectories(a.resolve("x"));
        String writer = name("writer");
        String victim = name("victim");
        assertThat(createWithBind(writer, a.toString(), "/a").status()).isEqualTo(200);
        assertThat(createWithBind(victim, a.resolve("x").toString(), "/data").status()).isEqualTo(200);
        assertThat(api.patch("/replicaSet/" + victim + "/pause", null).status()).isEqualTo(200);

        exec(writer, "rm -rf /a/x && ln -s / /a/x");
        Api.Reply resumed = api.patch("/replicaSet/" + victim + "/continue", null);

        if (engine.inspect(victim + "-1").orElseThrow().running()) {
            assertThat(exec(victim, "cat /data" + HOST_ONLY + "/marker 2>/dev/null; true"))
                    .as("the host's root is mounted in the instance").isEmpty();
        }
        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(400);
        assertThat(resumed.msg()).contains("/data", "symbolic link", "stays stopped").doesNotContain(HOST_ONLY.toString());
        assertThat(engine.inspect(victim + "-1").orElseThrow().running()).isFalse();
        assertThat(api.get("/replicaSet/" + victim).data().path("state").asString()).isEqualTo("paused");

        exec(writer, "rm /a/x && mkdir /a/x");
        Api.Reply repaired = api.patch("/replicaSet/" + victim + "/continue", null);
        assertThat(repaired.status()).as("once the link is gone: %s", repaired).isEqualTo(200);
        assertThat(exec(victim, "ls -A /data")).isEmpty();
    }

    @Test
    void aLinkNamedAtCreateIsRefusedWithoutSayingWhereItLeads() throws IOException {
        Path toSlash = Files.createSymbolicLink(ROOT.resolve("to-slash-" + System.nanoTime()), Path.of("/"));
        Path toEtc = Files.createSymbolicLink(ROOT.resolve("to-etc-" + System.nanoTime()), Path.of("/etc"));

        assertRefused(createWithBind(name("slash"), toSlash.toString(), "/host")).contains("'" + toSlash + "'")
                .doesNotContain("'/'", "resolves");
        assertRefused(createWithBind(name("etc"), toEtc + "/cron.d", "/host")).doesNotContain("'/etc", "/etc/cron.d'", "resolves");
    }

    @Test
    void protectedDirectoriesStayRefusedUnderAnAllowedHostRoot() {
        for (String path : List.of("/root", "/root/.ssh", "/usr/local/bin", "/home", "/etc", "/var/spool/cron", "/var/lib/etcd",
                "/var/lib/etcd/member", props.stateDir(), engine.info().dockerRootDir(), "/var", "/proc", "/sys", "/dev", "/run", "/")) {
            assertRefused(createWithBind(name("protected"), path, "/host")).as(path).contains("'" + path + ":/host'");
        }
        String allowed = name("allowed");
        assertThat(createWithBind(allowed, ROOT.toString(), "/data").status()).as("a directory under '/' outside them").isEqualTo(200);
    }

    @Test
    void instancesGoWithoutDeviceNodesRawSocketsAndFileCapabilities() {
        String name = name("caps");
        assertThat(createWithBind(name, ROOT.toString(), "/data").status()).isEqualTo(200);

        long effective = Long.parseLong(exec(name, "grep CapEff /proc/1/status").replaceAll("(?s)CapEff:\\s*([0-9a-f]+).*", "$1"), 16);
        assertThat(effective & (1L << 27)).as("CAP_MKNOD").isZero();
        assertThat(effective & (1L << 13)).as("CAP_NET_RAW").isZero();
        assertThat(effective & (1L << 31)).as("CAP_SETFCAP").isZero();
        for (int kept : new int[] {0, 1, 3, 5, 6, 7, 18}) {
            assertThat(effective & (1L << kept)).as("capability %d that apt, sshd and su need", kept).isNotZero();
        }
        assertThat(exec(name, "mknod /data/disk b 8 0 2>&1; echo rc=$?")).as("no device node on a bind").doesNotEndWith("rc=0\n");
        assertThat(Files.exists(ROOT.resolve("disk"))).isFalse();
        assertThat(exec(name, "echo ok > /data/chowned && chown 1000:1000 /data/chowned && stat -c %u /data/chowned"))
                .as("root inside still owns what it writes as it likes").isEqualTo("1000\n");
    }

    /** Two tenants under one root: neither binds the other's directory nor the root itself; each binds its own. */
    @Test
    void aTenantCannotBindAnotherTenantsDirectoryUnderTheSameRoot() throws IOException {
        String suffix = Long.toString(System.nanoTime(), 36);
        String alice = "alice" + suffix;
        String bob = "bob" + suffix;
        Api asAlice = api.as(issue(alice));
        Api asBob = api.as(issue(bob));
        try {
            Path bobs = Files.createDirectories(ROOT.resolve(bob).resolve("work"));
            Files.writeString(bobs.resolve("notes"), "bob's\n");
            Path alices = Files.createDirectories(ROOT.resolve(alice).resolve("work"));
            assertThat(asBob.post("/replicaSet", withBind(name("bobs"), bobs.toString(), "/work")).status()).isEqualTo(200);
            String steal = name("steal");
            for (Path theirs : List.of(bobs, ROOT.resolve(bob), ROOT)) {
                assertRefused(asAlice.post("/replicaSet", withBind(steal, theirs.toString(), "/steal"))).as(theirs.toString())
                        .contains("its own directory of an allowed root, <root>/" + alice);
            }
            String own = name("alices");
            assertThat(asAlice.post("/replicaSet", withBind(own, alices.toString(), "/work")).status()).isEqualTo(200);
            assertThat(api.get("/replicaSet/" + steal).status()).as("nothing made").isEqualTo(404);
        } finally {
            api.delete("/tokens/" + alice);
            api.delete("/tokens/" + bob);
        }
    }

    private String issue(String tenant) {
        Api.Reply issued = api.post("/tokens", Map.of("name", tenant));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        return issued.data().path("token").asString();
    }

    private Map<String, Object> withBind(String name, String src, String dest) {
        Map<String, Object> body = createBody(name, 0, SLEEP, List.of());
        body.put("binds", List.of(Map.of("src", src, "dest", dest)));
        return body;
    }

    private Api.Reply createWithBind(String name, String src, String dest) {
        Map<String, Object> body = createBody(name, 0, SLEEP, List.of());
        body.put("binds", List.of(Map.of("src", src, "dest", dest)));
        return api.post("/replicaSet", body);
    }

    private static org.assertj.core.api.AbstractStringAssert<?> assertRefused(Api.Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.code()).as(r.toString()).isEqualTo(1040);
        return assertThat(r.msg());
    }

    private static Path tempDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix).toRealPath();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
