package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.gpudocker.docker.ContainerSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Versioned updates: each makes a new container version that carries the system disk over. */
class ReplicaSetUpdateIT extends IntegrationTestBase {
    /** Host directories a test binds, removed after it so no run leaves them under /tmp. */
    private final List<Path> hostDirs = new ArrayList<>();

    @AfterEach
    void removeHostDirs() throws IOException {
        for (Path dir : hostDirs) {
            if (Files.exists(dir)) {
                try (Stream<Path> paths = Files.walk(dir)) {
                    for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private String hostDir(String path) {
        Path dir = Path.of(path);
        dir.toFile().mkdirs();
        hostDirs.add(dir);
        return path;
    }
    /** Changes to the root filesystem a user would make; checked in every later version. */
    private static final String CHANGE_SYSTEM_DISK = String.join("; ",
            "echo created > /root/created.txt",
            "printf '#!/bin/sh\\necho tool-ran\\n' > /bin/mytool && chmod 755 /bin/mytool",
            "rm /etc/image-release",
            "ln -s /root/created.txt /root/link",
            "echo secret > /root/secret && chown 1234:1234 /root/secret && chmod 600 /root/secret",
            "echo dot > /.dotfile",
            "rm -rf /var/log && mkdir /var/log && echo fresh > /var/log/only");
    private static final String DESCRIBE_SYSTEM_DISK = String.join("; ",
            "cat /root/created.txt", "mytool", "test -e /etc/image-release && echo image-file-present || echo image-file-deleted",
            "readlink /root/link", "stat -c '%u:%g %a %s' /root/secret", "cat /root/secret", "cat /.dotfile", "ls -A /var/log");

    @Autowired
    Client etcd;

    private int sshPort(String name) {
        return api.get("/replicaSet/" + name).data().path("ports").path("22/tcp").asInt();
    }

    private String patch(String name, Object body) {
        Api.Reply r = api.patch("/replicaSet/" + name, body);
        assertThat(r.status()).as("patch %s: %s", name, r).isEqualTo(200);
        return r.data().path("containerName").asString();
    }

    @Test
    void liftingKeepsTheGpusItHadAndDroppingToZeroFreesThemAll() {
        String name = name("lift");
        create(name, 2);
        List<String> two = gpusOf(name);
        int port = sshPort(name);

        assertThat(patch(name, Map.of("gpuPatch", Map.of("gpuCount", 4)))).isEqualTo(name + "-2");
        List<String> four = gpusOf(name);
        assertThat(four).hasSize(4).containsAll(two);
        assertThat(visibleDevices(name)).isEqualTo(String.join(",", four));
        assertThat(exec(name, "echo $CONTAINER_VERSION")).isEqualTo("2\n");
        assertThat(engine.inspect(name + "-1").orElseThrow().running()).as("old version stopped, not removed").isFalse();

        assertThat(patch(name, Map.of("gpuPatch", Map.of("gpuCount", 0)))).isEqualTo(name + "-3");
        assertThat(gpusOf(name)).isEmpty();
        assertThat(visibleDevices(name)).isEqualTo("void");
        assertThat(gpuHolders()).doesNotContainValue(name);
        assertThat(sshPort(name)).as("host port never changes across versions").isEqualTo(port);
        assertThat(portHolders()).containsEntry(port, name);
    }

    @Test
    void emptyPatchRecreatesWithTheSameSpec() {
        String name = name("recreate");
        create(name, 1);
        List<String> gpus = gpusOf(name);
        exec(name, "echo keep > /root/keep");
        assertThat(patch(name, Map.of())).isEqualTo(name + "-2");
        JsonNode detail = api.get("/replicaSet/" + name).data();
        assertThat(detail.path("version").asLong()).isEqualTo(2);
        assertThat(gpusOf(name)).isEqualTo(gpus);
        assertThat(exec(name, "cat /root/keep")).isEqualTo("keep\n");
        assertThat(api.get("/replicaSet/" + name + "/history").data().path("history").get(0).path("status").path("cause").asString()).isEqualTo("recreate");
    }

    @Test
    void systemDiskIsCarriedOverExactly() {
        String name = name("disk");
        create(name, 1);
        exec(name, CHANGE_SYSTEM_DISK);
        String before = exec(name, DESCRIBE_SYSTEM_DISK);
        assertThat(before).contains("created\n", "tool-ran\n", "image-file-deleted\n", "/root/created.txt\n", "1234:1234 600 7\n", "dot\n", "only\n");

        patch(name, Map.of("gpuPatch", Map.of("gpuCount", 2)));
        assertThat(exec(name, DESCRIBE_SYSTEM_DISK)).isEqualTo(before);
        Api.Reply restarted = api.patch("/replicaSet/" + name + "/restart", null);
        assertThat(restarted.data().path("containerName").asString()).isEqualTo(name + "-3");
        assertThat(exec(name, DESCRIBE_SYSTEM_DISK)).isEqualTo(before);
    }

    @Test
    void rollbackRestoresTheSpecAndTheFilesOfThatVersion() {
        String name = name("rollback");
        create(name, 1);
        int port = sshPort(name);
        exec(name, "echo v1 > /root/v1.txt");
        patch(name, Map.of("gpuPatch", Map.of("gpuCount", 3)));               // version 2
        exec(name, "echo v2 > /root/v2.txt; rm /root/v1.txt");
        patch(name, Map.of());                                                // version 3

        Api.Reply same = api.patch("/replicaSet/" + name + "/rollback", Map.of("version", 3));
        assertThat(same.status()).isEqualTo(409);
        assertThat(same.code()).isEqualTo(1022);
        Api.Reply unknown = api.patch("/replicaSet/" + name + "/rollback", Map.of("version", 42));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo(1037);
        assertThat(api.patch("/replicaSet/" + name + "/rollback", Map.of("version", 0)).code()).isEqualTo(1020);

        Api.Reply back = api.patch("/replicaSet/" + name + "/rollback", Map.of("version", 1));
        assertThat(back.status()).as(back.toString()).isEqualTo(200);
        assertThat(back.data().path("containerName").asString()).isEqualTo(name + "-4");
        assertThat(exec(name, "cat /root/v1.txt; test -e /root/v2.txt && echo v2-present || echo v2-gone")).isEqualTo("v1\nv2-gone\n");
        assertThat(gpusOf(name)).hasSize(1);
        assertThat(sshPort(name)).isEqualTo(port);
        assertThat(api.get("/replicaSet/" + name + "/history").data().path("history").get(0).path("status").path("cause").asString())
                .isEqualTo("rollback to 1");
    }

    @Test
    void liftBeyondCapacityFailsAndKeepsTheOldVersionRunning() {
        String name = name("toobig");
        create(name, 2);
        exec(name, "echo still-here > /root/state");
        String hog = name("hog");
        create(hog, 5);
        Map<String, String> gpusBefore = gpuHolders();

        Api.Reply r = api.patch("/replicaSet/" + name, Map.of("gpuPatch", Map.of("gpuCount", 4)));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.code()).isEqualTo(1013);
        assertThat(engine.inspect(name + "-2")).as("no new container").isEmpty();
        assertThat(engine.inspect(name + "-1").orElseThrow().running()).isTrue();
        assertThat(api.get("/replicaSet/" + name).data().path("version").asLong()).isEqualTo(1);
        assertThat(gpuHolders()).isEqualTo(gpusBefore);
        assertThat(exec(name, "cat /root/state")).isEqualTo("still-here\n");
    }

    @Test
    void failedUpdateRemovesTheNewContainerAndRestartsTheOldOne() {
        String name = name("badupdate");
        String dir = hostDir("/tmp/gda-it-" + name);
        Map<String, Object> body = createBody(name, 1, SLEEP, List.of("22"));
        body.put("binds", List.of(Map.of("src", dir, "dest", "/data")));
        assertThat(api.post("/replicaSet", body).status()).isEqualTo(200);
        exec(name, "echo still-here > /root/state");
        Map<String, String> gpusBefore = gpuHolders();
        Map<Integer, String> portsBefore = portHolders();

        Api.Reply noMatch = api.patch("/replicaSet/" + name, Map.of("volumePatch",
                Map.of("oldBind", Map.of("src", "/elsewhere", "dest", "/data"), "newBind", Map.of("src", dir, "dest", "/data2"))));
        assertThat(noMatch.status()).isEqualTo(404);
        assertThat(noMatch.code()).isEqualTo(1041);
        assertThat(noMatch.msg()).contains(dir + ":/data");

        // passes every check, is created, the old version is stopped and its disk copied, then runc refuses
        // to start it (the mount point lies under a file): everything must be undone
        Api.Reply r = api.patch("/replicaSet/" + name, Map.of("gpuPatch", Map.of("gpuCount", 3), "volumePatch",
                Map.of("oldBind", Map.of("src", dir, "dest", "/data"), "newBind", Map.of("src", dir, "dest", "/bin/busybox/data"))));
        assertThat(r.status()).as(r.toString()).isBetween(400, 599);
        assertThat(r.msg()).contains("busybox");
        assertThat(engine.inspect(name + "-2")).as("the new container is removed").isEmpty();
        assertThat(engine.inspect(name + "-1").orElseThrow().running()).as("the old version runs again").isTrue();
        assertThat(api.get("/replicaSet/" + name).data().path("version").asLong()).isEqualTo(1);
        assertThat(gpuHolders()).isEqualTo(gpusBefore);
        assertThat(portHolders()).isEqualTo(portsBefore);
        assertThat(exec(name, "cat /root/state")).isEqualTo("still-here\n");
        assertThat(api.get("/replicaSet/" + name + "/history").data().path("history")).hasSize(1);
    }

    @Test
    void rebindingAVolumeKeepsTheSystemDisk() {
        String name = name("rebind");
        String a = hostDir("/tmp/gda-it-a-" + name);
        String b = hostDir("/tmp/gda-it-b-" + name);
        Map<String, Object> body = createBody(name, 0, SLEEP, List.of("22"));
        body.put("binds", List.of(Map.of("src", a, "dest", "/data")));
        assertThat(api.post("/replicaSet", body).status()).isEqualTo(200);
        exec(name, "echo on-a > /data/f; echo sys > /root/sys");
        patch(name, Map.of("volumePatch", Map.of("oldBind", Map.of("src", a, "dest", "/data"), "newBind", Map.of("src", b, "dest", "/data"))));
        assertThat(exec(name, "test -e /data/f && echo still-a || echo now-b; cat /root/sys")).isEqualTo("now-b\nsys\n");
        assertThat(api.get("/replicaSet/" + name).data().path("binds").get(0).path("src").asString()).isEqualTo(b);
    }

    @Test
    void restartWorksFromStoppedAndPausedAndReacquiresResources() {
        String name = name("restart");
        create(name, 2);
        int port = sshPort(name);
        exec(name, "echo survived > /root/s");
        api.patch("/replicaSet/" + name + "/stop", null);
        assertThat(gpuHolders()).doesNotContainValue(name);

        Api.Reply fromStopped = api.patch("/replicaSet/" + name + "/restart", null);
        assertThat(fromStopped.status()).as(fromStopped.toString()).isEqualTo(200);
        assertThat(gpusOf(name)).hasSize(2);
        assertThat(sshPort(name)).as("the old port is taken back when free").isEqualTo(port);
        assertThat(api.get("/replicaSet/" + name).data().path("state").asString()).isEqualTo("running");
        assertThat(exec(name, "cat /root/s")).isEqualTo("survived\n");

        api.patch("/replicaSet/" + name + "/pause", null);
        Api.Reply fromPaused = api.patch("/replicaSet/" + name + "/restart", null);
        assertThat(fromPaused.data().path("containerName").asString()).isEqualTo(name + "-3");
        assertThat(exec(name, "cat /root/s")).isEqualTo("survived\n");
    }

    @Test
    void historySurvivesEtcdCompactionAndRollbackStillWorks() throws Exception {
        String name = name("compact");
        create(name, 0);
        exec(name, "echo one > /root/one");
        patch(name, Map.of());
        exec(name, "echo two > /root/two");
        patch(name, Map.of());
        // unrelated writes, then compaction of everything before now
        for (int i = 0; i < 50; i++) {
            store.commit(new io.gpudocker.store.Txn().put(props.etcd().prefix() + "/it-noise/" + name, Integer.toString(i)));
        }
        store.commit(new io.gpudocker.store.Txn().delete(props.etcd().prefix() + "/it-noise/" + name));
        long now = etcd.getKVClient().get(io.etcd.jetcd.ByteSequence.from(props.etcd().prefix(), java.nio.charset.StandardCharsets.UTF_8)).get().getHeader().getRevision();
        etcd.getKVClient().compact(now).get();

        JsonNode history = api.get("/replicaSet/" + name + "/history").data().path("history");
        List<Long> versions = new ArrayList<>();
        history.forEach(h -> versions.add(h.path("version").asLong()));
        assertThat(versions).containsExactly(3L, 2L, 1L);
        Api.Reply back = api.patch("/replicaSet/" + name + "/rollback", Map.of("version", 1));
        assertThat(back.status()).as(back.toString()).isEqualTo(200);
        assertThat(exec(name, "ls /root")).isEqualTo("one\n");
    }

    @Test
    void historyLimitPrunesOldContainersButKeepsTheirHistory() {
        String name = name("prune");
        create(name, 0);
        for (int i = 0; i < 5; i++) {
            patch(name, Map.of());
        }
        // keep=3 in these tests: versions 4, 5, 6 keep their containers
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(containersOf(name)).extracting(ContainerSummary::name).containsExactlyInAnyOrder(name + "-4", name + "-5", name + "-6"));
        JsonNode history = api.get("/replicaSet/" + name + "/history").data().path("history");
        assertThat(history).hasSize(6);
        assertThat(history.get(0).path("snapshotAvailable").asBoolean()).isTrue();
        assertThat(history.get(5).path("snapshotAvailable").asBoolean()).isFalse();

        Api.Reply pruned = api.patch("/replicaSet/" + name + "/rollback", Map.of("version", 1));
        assertThat(pruned.status()).isEqualTo(409);
        assertThat(pruned.code()).isEqualTo(1038);
        assertThat(pruned.msg()).contains("pruned");
        Api.Reply kept = api.patch("/replicaSet/" + name + "/rollback", Map.of("version", 4));
        assertThat(kept.status()).as(kept.toString()).isEqualTo(200);
    }
}
