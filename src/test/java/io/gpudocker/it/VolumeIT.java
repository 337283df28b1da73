package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpudocker.docker.VolumeSummary;
import io.gpudocker.volume.VolumeJanitor;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.volume.VolumeSizeSupport;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.Json;
import io.gpudocker.store.Intent;
import io.gpudocker.store.Txn;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Data disks against the real test rig: versioned Docker volumes, the resize copy seen from inside a
 * replicaset's container, and cleanup of superseded versions. Sizes are not enforced on the rig (ext4);
 * every response must say so.
 */
class VolumeIT extends IntegrationTestBase {
    @Autowired
    VolumeSizeSupport sizeSupport;
    @Autowired
    VolumeJanitor janitor;
    @Autowired
    ClusterIdentity identity;

    private final List<String> volumes = new ArrayList<>();
    private final List<String> ownReplicaSets = new ArrayList<>();

    /** Runs before the base class's cleanup: replicasets first (they mount the volumes), then the volumes. */
    @AfterEach
    void deleteVolumesAndCheckNothingLeft() {
        for (String rs : ownReplicaSets) {
            assertThat(api.delete("/replicaSet/" + rs).status()).isIn(200, 404);
        }
        for (String v : volumes) {
            Api.Reply r = api.delete("/volumes/" + v);
            assertThat(r.status()).as("delete volume %s: %s", v, r).isIn(200, 404);
        }
        for (String v : volumes) {
            for (int n = 1; n <= 4; n++) {
                assertThat(volumeEngine.inspectVolume(v + "-" + n)).as("Docker volume %s-%d", v, n).isEmpty();
            }
            assertThat(keysNaming(v)).as("etcd keys of volume %s", v).isEmpty();
        }
        volumes.clear();
        ownReplicaSets.clear();
    }

    private String volumeName(String base) {
        String n = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        volumes.add(n);
        return n;
    }

    private Api.Reply createVolume(String name, String size) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("size", size);
        return api.post("/volumes", body);
    }

    private Api.Reply resize(String name, String size, boolean force) {
        return api.patch("/volumes/" + name + "/size" + (force ? "?force=true" : ""), Map.of("size", size));
    }

    private String replicaSetWith(String dockerVolume, String dest) {
        String rs = name("vrs");
        ownReplicaSets.add(rs);
        Map<String, Object> body = createBody(rs, 0, SLEEP, List.of());
        body.put("binds", List.of(Map.of("src", dockerVolume, "dest", dest)));
        Api.Reply r = api.post("/replicaSet", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return rs;
    }

    private Path mountpoint(String dockerVolume) {
        return Path.of(volumeEngine.inspectVolume(dockerVolume).orElseThrow().mountpoint());
    }

    private static long allocatedBytes(Path file) throws Exception {
        Process p = new ProcessBuilder("du", "-B1", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return Long.parseLong(out.trim().split("\\s+")[0]);
    }

    private void assertEnforcementReported(JsonNode data) {
        assertThat(data.has("sizeEnforced")).as("sizeEnforced in %s", data).isTrue();
        assertThat(data.path("sizeEnforced").asBoolean()).isEqualTo(sizeSupport.enforced());
    }

    @Test
    void createValidatesNameAndSizeAndRefusesDuplicates() {
        String name = volumeName("vol");
        Api.Reply created = createVolume(name, "20GB");
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(created.data().path("name").asString()).isEqualTo(name + "-1");
        assertThat(created.data().path("size").asString()).isEqualTo("20GB");
        assertThat(created.data().path("sizeBytes").asLong()).isEqualTo(20L << 30);
        assertEnforcementReported(created.data());
        VolumeSummary docker = volumeEngine.inspectVolume(name + "-1").orElseThrow();
        assertThat(docker.labels()).containsEntry(ManagedLabels.OWNER, props.etcd().prefix())
                .containsEntry(ManagedLabels.VOLUME, name).containsEntry(ManagedLabels.VERSION, "1");
        assertThat(docker.options() == null || !docker.options().containsKey("size")).as("no size option where quota is missing")
                .isEqualTo(!sizeSupport.enforced());

        Api.Reply got = api.get("/volumes/" + name);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.data().path("dockerName").asString()).isEqualTo(name + "-1");
        assertThat(got.data().path("version").asLong()).isEqualTo(1);
        assertEnforcementReported(got.data());
        JsonNode list = api.get("/volumes").data();
        assertThat(list.findValuesAsString("name")).contains(name);
        list.forEach(this::assertEnforcementReported);

        Api.Reply dup = createVolume(name, "1GB");
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.code()).isEqualTo(1026);
        assertThat(dup.msg()).contains(name);

        String unsized = volumeName("nosize");
        Api.Reply plain = createVolume(unsized, null);
        assertThat(plain.status()).as(plain.toString()).isEqualTo(200);
        assertThat(plain.data().path("size").isNull()).isTrue();
        assertEnforcementReported(plain.data());

        String bad = volumeName("badunit");
        for (String size : List.of("20XB", "-1GB", "GB", "1.5.GB", "0")) {
            Api.Reply r = createVolume(bad, size);
            assertThat(r.status()).as(size + ": " + r).isEqualTo(400);
            assertThat(r.code()).isEqualTo(1029);
            assertThat(r.msg()).contains(size);
        }
        assertThat(volumeEngine.inspectVolume(bad + "-1")).isEmpty();
        assertThat(keysNaming(bad)).isEmpty();

        Api.Reply dashed = createVolume("my-data", "1GB");
        assertThat(dashed.status()).isEqualTo(400);
        assertThat(dashed.code()).isEqualTo(1031);
        Api.Reply slashed = createVolume("/data", "1GB");
        assertThat(slashed.status()).isEqualTo(400);
        assertThat(slashed.code()).isEqualTo(1032);
        assertThat(createVolume("", "1GB").code()).isEqualTo(1024);
        assertThat(volumeEngine.inspectVolume("my-data-1")).isEmpty();

        String ghost = "ghost" + UUID.randomUUID().toString().substring(0, 6).replace("-", "");
        for (Api.Reply r : List.of(api.get("/volumes/" + ghost), api.get("/volumes/" + ghost + "/history"),
                resize(ghost, "1GB", false), api.delete("/volumes/" + ghost))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(404);
            assertThat(r.code()).isEqualTo(1033);
        }
    }

    @Test
    void resizeCopiesTheDataAReplicaSetSeesAfterRebinding() throws Exception {
        String vol = volumeName("data");
        assertThat(createVolume(vol, "10MB").status()).isEqualTo(200);
        String rs = replicaSetWith(vol + "-1", "/root/data");
        String sum = exec(rs, "cd /root/data && head -c 2097152 /dev/urandom > random.bin && ln -s random.bin link"
                + " && echo secret > private && chown 1234:1234 private && chmod 0600 private && ln random.bin hard"
                + " && mkdir -p sub && echo hidden > sub/.dotfile && md5sum random.bin");
        // from the host: a sparse file (64 MiB long, a few KiB written) and a user xattr
        Path v1 = mountpoint(vol + "-1");
        try (RandomAccessFile f = new RandomAccessFile(v1.resolve("sparse.bin").toFile(), "rw")) {
            f.setLength(64L << 20);
            f.seek((64L << 20) - 4096);
            f.write(new byte[]{1, 2, 3, 4});
        }
        boolean xattrs = writeXattr(v1.resolve("private"), "user.gda", "kept");

        assertThat(api.patch("/replicaSet/" + rs + "/pause", null).status()).isEqualTo(200);
        Api.Reply grown = resize(vol, "20MB", false);
        assertThat(grown.status()).as(grown.toString()).isEqualTo(200);
        assertThat(grown.data().path("name").asString()).isEqualTo(vol + "-2");
        assertThat(grown.data().path("size").asString()).isEqualTo("20MB");
        assertThat(grown.data().path("previous").asString()).isEqualTo(vol + "-1");
        assertThat(grown.data().path("warning").isNull()).isTrue();
        assertEnforcementReported(grown.data());

        Api.Reply shrink = resize(vol, "1MB", false);
        assertThat(shrink.status()).as(shrink.toString()).isEqualTo(409);
        assertThat(shrink.code()).isEqualTo(1030);
        assertThat(shrink.msg()).containsPattern("1MB \\(1048576 bytes\\) is smaller than the \\d{7,} bytes in use in " + vol + "-2");
        Api.Reply same = resize(vol, "20MB", false);
        assertThat(same.status()).isEqualTo(400);
        assertThat(same.code()).isEqualTo(1028);
        assertThat(volumeEngine.inspectVolume(vol + "-3")).isEmpty();

        JsonNode history = api.get("/volumes/" + vol + "/history").data().path("history");
        assertThat(history).hasSize(2);
        assertThat(history.get(0).path("version").asLong()).isEqualTo(2);
        assertThat(history.get(0).path("size").asString()).isEqualTo("20MB");
        assertThat(history.get(0).path("createTime").isNull()).isFalse();
        assertThat(history.get(1).path("version").asLong()).isEqualTo(1);
        assertThat(history.get(1).path("size").asString()).isEqualTo("10MB");
        history.forEach(this::assertEnforcementReported);

        Api.Reply rebound = api.patch("/replicaSet/" + rs, Map.of("volumePatch", Map.of(
                "oldBind", Map.of("src", vol + "-1", "dest", "/root/data"),
                "newBind", Map.of("src", vol + "-2", "dest", "/root/data"))));
        assertThat(rebound.status()).as(rebound.toString()).isEqualTo(200);
        assertThat(rebound.data().path("containerName").asString()).isEqualTo(rs + "-2");
        assertThat(exec(rs, "cd /root/data && md5sum random.bin")).isEqualTo(sum);
        assertThat(exec(rs, "readlink /root/data/link")).isEqualTo("random.bin\n");
        assertThat(exec(rs, "stat -c '%a %u %g' /root/data/private")).isEqualTo("600 1234 1234\n");
        assertThat(exec(rs, "stat -c %i /root/data/random.bin /root/data/hard | uniq | wc -l").trim()).as("hard link kept").isEqualTo("1");
        assertThat(exec(rs, "cat /root/data/sub/.dotfile")).isEqualTo("hidden\n");

        Path v2 = mountpoint(vol + "-2");
        assertThat(Files.size(v2.resolve("sparse.bin"))).isEqualTo(64L << 20);
        assertThat(allocatedBytes(v2.resolve("sparse.bin"))).as("the sparse file stays sparse").isLessThan(1L << 20);
        if (xattrs) {
            assertThat(readXattr(v2.resolve("private"), "user.gda")).isEqualTo("kept");
        }

        Api.Reply inUse = api.delete("/volumes/" + vol);
        assertThat(inUse.status()).as(inUse.toString()).isEqualTo(409);
        assertThat(inUse.code()).isEqualTo(1043);
        assertThat(inUse.msg()).contains(rs + "-2");
        assertThat(volumeEngine.inspectVolume(vol + "-2")).isPresent();
        assertThat(volumeEngine.inspectVolume(vol + "-1")).as("the old version stays while the paused old container mounts it").isPresent();

        assertThat(api.delete("/replicaSet/" + rs).status()).isEqualTo(200);
        Api.Reply deleted = api.delete("/volumes/" + vol);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(volumeEngine.inspectVolume(vol + "-1")).isEmpty();
        assertThat(volumeEngine.inspectVolume(vol + "-2")).isEmpty();
        assertThat(keysNaming(vol)).isEmpty();
        assertThat(api.get("/volumes/" + vol).code()).isEqualTo(1033);
    }

    @Test
    void forcedResizeSaysSoAndOldVersionsGoOnceUnmounted() {
        String vol = volumeName("force");
        assertThat(createVolume(vol, "5MB").status()).isEqualTo(200);
        String rs = replicaSetWith(vol + "-1", "/data");
        exec(rs, "echo live > /data/file");

        Api.Reply forced = resize(vol, "6MB", true);
        assertThat(forced.status()).as(forced.toString()).isEqualTo(200);
        assertThat(forced.data().path("name").asString()).isEqualTo(vol + "-2");
        assertThat(forced.data().path("warning").asString()).contains(rs + "-1");
        assertThat(mountpoint(vol + "-2").resolve("file")).hasContent("live");
        assertThat(volumeEngine.inspectVolume(vol + "-1")).as("still mounted by the running container").isPresent();

        assertThat(api.delete("/replicaSet/" + rs).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            api.get("/volumes/" + vol); // a volume call queues a sweep
            assertThat(volumeEngine.inspectVolume(vol + "-1")).isEmpty();
        });
        assertThat(volumeEngine.inspectVolume(vol + "-2")).isPresent();
        assertThat(api.get("/volumes/" + vol + "/history").data().path("history").get(1).path("present").asBoolean()).isFalse();

        String idle = volumeName("idle");
        assertThat(createVolume(idle, null).status()).isEqualTo(200);
        Api.Reply sized = resize(idle, "1GB", false);
        assertThat(sized.status()).as(sized.toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(volumeEngine.inspectVolume(idle + "-1")).isEmpty());
        assertThat(api.get("/volumes/" + idle).data().path("dockerName").asString()).isEqualTo(idle + "-2");
    }

    private static boolean writeXattr(Path file, String name, String value) {
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
            if (view == null) {
                return false;
            }
            view.write(name.substring("user.".length()), StandardCharsets.UTF_8.encode(value));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // the filesystem under Docker's data root has no user xattrs: nothing to check
        }
    }

    private static String readXattr(Path file, String name) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        String key = name.substring("user.".length());
        ByteBuffer buf = ByteBuffer.allocate(view.size(key));
        view.read(key, buf);
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }

    @Test
    void dockerVolumesAnUnfinishedOperationProvesUncommittedAreSweptAwayAndNoOthers() {
        String name = volumeName("crashed");
        assertThat(createVolume(name, "1GB").status()).isEqualTo(200);
        // what a create or resize killed before its etcd write leaves: the intent, and a Docker volume made by
        // it with a version no record commits (one for a recorded volume, one for a name never recorded); the
        // intents are written last here, so a sweep queued meanwhile cannot take them for calls that made nothing
        String ghost = volumeName("ghost");
        interrupted(name, 2, "resize");
        interrupted(ghost, 1, "create");
        // and one with no record and no intent: it may hold data whose record is missing
        String orphan = volumeName("orphan");
        volumeEngine.createVolume(orphan + "-1", Map.of(), ManagedLabels.stamped(ManagedLabels.volumeVersion(props.etcd().prefix(), orphan, 1),
                identity.cluster().id(), "0000000000000000", "{}"));
        try {
            janitor.sweepUncommitted(); // volume calls also queue a sweep, which may get there first
            assertThat(volumeEngine.inspectVolume(name + "-2")).isEmpty();
            assertThat(volumeEngine.inspectVolume(ghost + "-1")).isEmpty();
            assertThat(volumeEngine.inspectVolume(name + "-1")).as("the committed version stays").isPresent();
            assertThat(volumeEngine.inspectVolume(orphan + "-1")).as("no record is no proof").isPresent();
            assertThat(api.get("/volumes/" + name).data().path("version").asLong()).isEqualTo(1);
            assertThat(store.list(props.etcd().prefix() + "/apis/v1/operations/")).as("intents dropped").isEmpty();
        } finally {
            volumeEngine.removeVolume(orphan + "-1");
        }
    }

    /** The Docker volume a create or resize made before it was killed, and its intent. */
    private void interrupted(String volume, long version, String action) {
        Intent op = Intent.start(Intent.VOLUME, action, volume, version);
        volumeEngine.createVolume(volume + "-" + version, Map.of(),
                ManagedLabels.stamped(ManagedLabels.volumeVersion(props.etcd().prefix(), volume, version), identity.cluster().id(), op.id(), "{}"));
        assertThat(store.commit(new Txn().put(new io.gpudocker.store.Keys(props.etcd().prefix(), props.node().name()).operation(op.id()), Json.write(op)))).isTrue();
    }
}
