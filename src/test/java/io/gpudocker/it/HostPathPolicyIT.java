package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.BindMounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * No request reaches the host beyond the operator's allowed roots, containers stay unprivileged, and a
 * misspelt field is refused rather than dropped. The allowed roots are a directory this test makes and the
 * rig's own directory, which holds Docker's data root and socket, so those are shown refused even under a
 * listed root.
 */
class HostPathPolicyIT extends IntegrationTestBase {
    private static final Path ROOT = tempRoot();

    @Autowired
    DockerClient docker;
    @Autowired
    BindMounts bindMounts;

    @DynamicPropertySource
    static void allowedRoots(DynamicPropertyRegistry registry) {
        registry.add("gda.binds.allowed-roots", () -> ROOT + "," + rigDirectory());
    }

    @AfterAll
    static void removeRoot() throws IOException {
        try (Stream<Path> paths = Files.walk(ROOT)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void bindingTheHostsRootIsRefusedAndCreatesNothing() {
        String name = name("slash");
        Map<String, String> gpusBefore = gpuHolders();
        Map<Integer, String> portsBefore = portHolders();

        Api.Reply r = createWithBind(name, "/", "/host");

        assertRefused(r).contains("'/:/host'", "is not allowed", "allowed roots: " + ROOT).doesNotContain("resolves");
        assertThat(containersOf(name)).isEmpty();
        assertThat(keysNaming(name)).isEmpty();
        assertThat(gpuHolders()).isEqualTo(gpusBefore);
        assertThat(portHolders()).isEqualTo(portsBefore);
    }

    @Test
    void dockersSocketAndDataRootAreRefusedEvenUnderAnAllowedRoot() {
        String socket = props.docker().host().replaceFirst("^unix://", "");
        String dataRoot = engine.info().dockerRootDir();
        assertThat(Path.of(socket)).as("the rig's socket lies under a listed root").startsWith(rigDirectory());

        assertRefused(createWithBind(name("sock"), socket, "/var/run/docker.sock")).contains("'" + socket + ":/var/run/docker.sock'");
        assertRefused(createWithBind(name("dataroot"), dataRoot + "/volumes", "/volumes")).contains("Docker's and etcd's data");
        assertRefused(createWithBind(name("rigdir"), rigDirectory().toString(), "/rig")).contains("never bound");
        assertRefused(createWithBind(name("varrun"), "/var/run/docker.sock", "/sock")).contains("'/var/run/docker.sock:/sock'");
    }

    @Test
    void aDirectoryUnderTheAllowedRootIsSharedWithTheHostAndMountedFromItsRealPath() throws IOException {
        String name = name("shared");
        Path dir = Files.createDirectories(ROOT.resolve(name));
        Files.writeString(dir.resolve("from-host"), "written on the host\n");
        Path link = Files.createSymbolicLink(ROOT.resolve(name + "-link"), dir);

        assertThat(createWithBind(name, link.toString(), "/data").status()).isEqualTo(200);

        assertThat(exec(name, "cat /data/from-host; echo from inside > /data/from-container")).isEqualTo("written on the host\n");
        assertThat(Files.readString(dir.resolve("from-container"))).isEqualTo("from inside\n");
        assertThat(hostConfig(name + "-1").getBinds()).extracting(Bind::getPath).as("Docker got the service's own mount point")
                .containsExactly(bindMounts.directory().resolve(name + "-1").resolve("0").toString());
        assertThat(docker.inspectContainerCmd(name + "-1").exec().getConfig().getLabels())
                .as("mounted from the real path, not the link").containsEntry(ManagedLabels.BIND_SOURCES, "{\"0\":\"" + dir + "\"}");
        assertThat(api.get("/replicaSet/" + name).data().path("binds").get(0).path("src").asString())
                .as("the record keeps what the user asked for").isEqualTo(link.toString());
    }

    @Test
    void linksInsideTheAllowedRootPointingOutAreRefused() throws IOException {
        Path toSlash = Files.createSymbolicLink(ROOT.resolve("to-slash-" + System.nanoTime()), Path.of("/"));
        Path toEtc = Files.createSymbolicLink(ROOT.resolve("to-etc-" + System.nanoTime()), Path.of("/etc"));

        assertRefused(createWithBind(name("linkslash"), toSlash.toString(), "/host")).contains("is not allowed").doesNotContain("'/'");
        assertRefused(createWithBind(name("linketc"), toEtc.toString(), "/host")).contains("is not allowed").doesNotContain("'/etc'");
        assertRefused(createWithBind(name("dotdot"), ROOT + "/../../etc", "/host")).contains("is not allowed").doesNotContain("'/etc'");
    }

    @Test
    void rebindingToAForbiddenPathIsRefusedAndLeavesTheInstanceAsItWas() throws IOException {
        String name = name("rebind");
        Path dir = Files.createDirectories(ROOT.resolve(name));
        assertThat(createWithBind(name, dir.toString(), "/data").status()).isEqualTo(200);
        exec(name, "echo kept > /root/state");

        Api.Reply r = api.patch("/replicaSet/" + name, Map.of("volumePatch", Map.of(
                "oldBind", Map.of("src", dir.toString(), "dest", "/data"), "newBind", Map.of("src", "/etc", "dest", "/data"))));

        assertRefused(r).contains("'/etc:/data'");
        assertThat(engine.inspect(name + "-2")).as("no new container").isEmpty();
        assertThat(engine.inspect(name + "-1").orElseThrow().running()).isTrue();
        assertThat(api.get("/replicaSet/" + name).data().path("version").asLong()).isEqualTo(1);
        assertThat(api.get("/replicaSet/" + name + "/history").data().path("history")).hasSize(1);
        assertThat(exec(name, "cat /root/state")).isEqualTo("kept\n");
    }

    @Test
    void restartAndRollbackAreRefusedOnceABindNoLongerResolvesUnderARoot() throws IOException {
        String name = name("moved");
        Path a = Files.createDirectories(ROOT.resolve(name + "-a"));
        Path b = Files.createDirectories(ROOT.resolve(name + "-b"));
        assertThat(createWithBind(name, a.toString(), "/data").status()).isEqualTo(200);
        assertThat(api.patch("/replicaSet/" + name, Map.of("volumePatch", Map.of(
                "oldBind", Map.of("src", a.toString(), "dest", "/data"), "newBind", Map.of("src", b.toString(), "dest", "/data"))))
                .status()).isEqualTo(200);

        // version 1's directory is swapped for a link to /etc behind the service's back
        Files.delete(a);
        Files.createSymbolicLink(a, Path.of("/etc"));
        assertRefused(api.patch("/replicaSet/" + name + "/rollback", Map.of("version", 1))).contains("'" + a + ":/data'", "is not allowed");
        assertThat(api.get("/replicaSet/" + name).data().path("version").asLong()).isEqualTo(2);

        Files.delete(b);
        Files.createSymbolicLink(b, Path.of("/"));
        assertRefused(api.patch("/replicaSet/" + name + "/restart", null)).contains("'" + b + ":/data'", "is not allowed");
        assertThat(engine.inspect(name + "-3")).isEmpty();
        assertThat(engine.inspect(name + "-2").orElseThrow().running()).isTrue();
    }

    @Test
    void containersAreUnprivileged() {
        String name = name("hardened");
        create(name, 1);

        HostConfig hc = hostConfig(name + "-1");
        assertThat(hc.getPrivileged()).isFalse();
        assertThat(hc.getSecurityOpts()).contains("no-new-privileges");
        assertThat(hc.getPidsLimit()).isEqualTo(4096L);
        assertThat(hc.getCapAdd()).isNullOrEmpty();
        assertThat(hc.getNetworkMode()).isNotEqualTo("host");
        assertThat(hc.getPidMode()).isNotEqualTo("host");
        assertThat(hc.getIpcMode()).isNotEqualTo("host");
        assertThat(exec(name, "grep NoNewPrivs /proc/1/status")).as("as the kernel sees it").matches("NoNewPrivs:\\s+1\\n");

        patch(name);
        assertThat(hostConfig(name + "-2").getSecurityOpts()).as("every version").contains("no-new-privileges");
        assertThat(hostConfig(name + "-2").getPidsLimit()).isEqualTo(4096L);
    }

    @Test
    void aMisspeltFieldIsRefusedByNameAndCreatesNothing() {
        String name = name("typo");
        Map<String, Object> body = new HashMap<>(createBody(name, 0, SLEEP, List.of("22")));
        body.remove("gpuCount");
        body.put("gpucount", 2);

        Api.Reply r = api.post("/replicaSet", body);

        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(1000);
        assertThat(r.msg()).contains("unknown field 'gpucount'", "gpuCount", "imageName");
        assertThat(containersOf(name)).isEmpty();
        assertThat(keysNaming(name)).isEmpty();

        create(name, 0);
        Api.Reply nested = api.patch("/replicaSet/" + name, Map.of("gpuPatch", Map.of("gpucount", 1)));
        assertThat(nested.status()).as(nested.toString()).isEqualTo(400);
        assertThat(nested.msg()).contains("unknown field 'gpuPatch.gpucount'", "known fields of 'gpuPatch': gpuCount");
        assertThat(api.get("/replicaSet/" + name).data().path("version").asLong()).isEqualTo(1);
    }

    private Api.Reply createWithBind(String name, String src, String dest) {
        Map<String, Object> body = createBody(name, 0, SLEEP, List.of());
        body.put("binds", List.of(Map.of("src", src, "dest", dest)));
        return api.post("/replicaSet", body);
    }

    private void patch(String name) {
        Api.Reply r = api.patch("/replicaSet/" + name, Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private static org.assertj.core.api.AbstractStringAssert<?> assertRefused(Api.Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.code()).as(r.toString()).isEqualTo(1040);
        return assertThat(r.msg());
    }

    private HostConfig hostConfig(String container) {
        return docker.inspectContainerCmd(container).exec().getHostConfig();
    }

    /** The rig's directory: where its Docker socket lives, next to its data root. */
    private static Path rigDirectory() {
        String host = System.getenv().getOrDefault("GDA_DOCKER_HOST", "unix:///var/run/docker.sock");
        return Path.of(host.replaceFirst("^unix://", "")).getParent();
    }

    private static Path tempRoot() {
        try {
            return Files.createTempDirectory("gda-it-bindroot").toRealPath();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
