package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * A rollback to a version whose container is on the other node, on two nodes as {@link MoveIT} starts them (node a with
 * 8 stand-in GPUs, node b with 4): the instance moves there with version K's files and its volume's data as it is now,
 * and what each node holds afterwards, in etcd and in its engine, is checked; one refused for want of GPUs takes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollbackAcrossNodesIT {
    private static final String PREFIX = "/gpu-docker-api-rollback-it";
    private static final String KEYS = PREFIX + "/apis/v1/";
    private static final String ADMIN = IntegrationTestBase.ADMIN_TOKEN;
    private static final String NODE2_GPU = "GPU-00000000-0000-4000-8000-1";
    /** What the instance shows of the files each step wrote: present or absent. */
    private static final String LOOK = String.join("; ",
            "for f in /root/before /root/after /data/before /data/after; do test -e $f && echo \"$f $(cat $f)\" || echo \"$f absent\"; done");

    private final Map<String, String> env = System.getenv();
    private final String etcd = env.getOrDefault("GDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379");
    private final Map<String, String> engines = Map.of(
            "a", env.getOrDefault("GDA_DOCKER_HOST", "unix:///tmp/gda-test/docker.sock"),
            "b", env.getOrDefault("GDA_NODE2_DOCKER_HOST", "unix:///tmp/gda-test/node2/docker.sock"));
    private final Map<String, ServiceProcess> processes = new HashMap<>();
    private final List<String> replicaSets = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();
    private Api a;
    private Api b;

    @BeforeAll
    void startBothNodes() throws Exception {
        wipe();
        FileSystemUtils.deleteRecursively(Path.of("target", "rollback-it"));
        String portRange = env.getOrDefault("GDA_IT_CLUSTER_PORTS", "47000-47399");
        int portA = ServiceProcess.freePort();
        int portB = ServiceProcess.freePort();
        a = new Api("http://127.0.0.1:" + portA + "/api/v1", ADMIN);
        b = new Api("http://127.0.0.1:" + portB + "/api/v1", ADMIN);
        start("a", portA, env.getOrDefault("GDA_GPU_NVIDIA_SMI", "nvidia-smi"), portRange);
        start("b", portB, env.getOrDefault("GDA_NODE2_NVIDIA_SMI", "nvidia-smi"), portRange);
        processes.get("a").awaitUp(() -> a.get("/whoami").status() == 200);
        processes.get("b").awaitUp(() -> b.get("/whoami").status() == 200);
        awaitTrue(() -> a.get("/nodes").data().size() == 2 && b.get("/nodes").data().findValues("state").stream().allMatch(s -> s.asString().equals("up")),
                "both nodes up", Duration.ofSeconds(30));
    }

    private void start(String node, int port, String nvidiaSmi, String portRange) throws IOException {
        List<String> flags = ServiceProcess.rigFlags(port, engines.get(node), nvidiaSmi, ADMIN,
                "--node-name", node, "--advertise", "http://127.0.0.1:" + port, "--gda.node.lease-ttl=4s", "--gda.reconcile.period=3s",
                "--gda.state-dir=" + Path.of("target", "rollback-it", node).toAbsolutePath());
        processes.put(node, ServiceProcess.start("rollback-it-" + node, PREFIX, portRange, flags));
    }

    @AfterEach
    void deleteThisTestsObjects() throws InterruptedException {
        for (String name : replicaSets) {
            Api.Reply r = a.delete("/replicaSet/" + name);
            assertThat(r.status()).as("delete %s: %s", name, r).isIn(200, 404);
        }
        for (String name : volumes) {
            Api.Reply r = a.delete("/volumes/" + name);
            assertThat(r.status()).as("delete volume %s: %s", name, r).isIn(200, 404);
        }
        for (String name : replicaSets) {
            for (String node : engines.keySet()) {
                awaitTrue(() -> containersOf(node, name).isEmpty(), "containers of " + name + " on " + node + " gone", Duration.ofSeconds(20));
            }
        }
        awaitTrue(() -> etcdKeys(KEYS + "moved-away/").isEmpty(), "moved-away keys gone", Duration.ofSeconds(20));
        replicaSets.clear();
        volumes.clear();
    }

    @AfterAll
    void stopBothNodesAndCheckNothingLeft() throws Exception {
        for (ServiceProcess p : processes.values()) {
            p.close();
        }
        Map<String, String> left = new TreeMap<>();
        for (String node : engines.keySet()) {
            left.put("containers on " + node, docker(node, "ps", "-aq", "--filter", "label=io.gpudocker.owner=" + PREFIX).trim());
            left.put("volumes on " + node, docker(node, "volume", "ls", "-q", "--filter", "label=io.gpudocker.owner=" + PREFIX).trim());
        }
        for (String kind : List.of("replicasets/", "volumes/", "gpus/", "ports/", "cpus/", "operations/", "moved-away/")) {
            left.put("etcd keys under " + kind, String.join(" ", etcdKeys(KEYS + kind)));
        }
        wipe();
        assertThat(left).allSatisfy((what, found) -> assertThat(found).as(what).isEqualTo(""));
    }

    @Test
    @Order(1)
    void aRollbackToAVersionOnTheOtherNodeRunsThereWithItsFilesAndTheVolumeAsItIsNow() throws Exception {
        String vol = volume("rbdata", "a");
        String name = name("rollback");
        Map<String, Object> body = body(name, 1);
        body.put("node", "a");
        body.put("containerPorts", List.of("8000"));
        body.put("binds", List.of(Map.of("src", vol + "-1", "dest", "/data")));
        Api.Reply created = b.post("/replicaSet", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        exec(a, name, "echo one > /root/before && echo one > /data/before");
        Api.Reply moved = a.post("/replicaSet/" + name + "/move", Map.of("node", "b"));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.data().path("phaseMillis").path("prepare").isNumber()).as(moved.toString()).isTrue();
        exec(a, name, "echo two > /root/after && echo two > /data/after");
        // the history, answered by b, says version 1 (its container on a) can be rolled back to, as the console offers it
        JsonNode beforeRollback = a.get("/replicaSet/" + name + "/history").data().path("history");
        assertThat(beforeRollback.valueStream().map(i -> i.path("version").asLong() + ":" + i.path("snapshotAvailable").asBoolean()).toList())
                .as(beforeRollback.toString()).containsExactly("2:true", "1:true");

        // through the node that holds version 1's container: the call is routed to b, which holds the instance
        Api.Reply back = a.patch("/replicaSet/" + name + "/rollback", Map.of("version", 1));
        assertThat(back.status()).as(back.toString()).isEqualTo(200);
        assertThat(back.data().path("containerName").asString()).isEqualTo(name + "-3");
        assertThat(back.data().path("copy").path("method").asString()).as(back.toString()).isNotEmpty();
        JsonNode now = a.get("/replicaSet/" + name).data();
        assertThat(now.path("node").asString()).isEqualTo("a");
        assertThat(now.path("version").asLong()).isEqualTo(3);
        assertThat(now.path("state").asString()).isEqualTo("running");
        assertThat(strings(now.path("gpus"))).hasSize(1).noneMatch(g -> g.startsWith(NODE2_GPU));
        // version 1's system disk; the volume as the instance left it on b, carried over as a move carries it
        assertThat(exec(a, name, LOOK)).isEqualTo("/root/before one\n/root/after absent\n/data/before one\n/data/after two\n");
        JsonNode history = a.get("/replicaSet/" + name + "/history").data();
        assertThat(history.toString()).contains("rollback to 1 from node b");
        JsonNode volume = a.get("/volumes/" + vol).data();
        assertThat(volume.path("node").asString()).isEqualTo("a");
        assertThat(volume.path("version").asLong()).isEqualTo(3);
        assertThat(runningContainers("a", name)).containsExactly(name + "-3");
        assertThat(runningContainers("b", name)).isEmpty();
        assertThat(containersOf("b", name)).as("version 2 stays on b, stopped, for a rollback to it").containsExactly(name + "-2");
        assertHeldOnlyOn(name, "a", 1, now.path("ports").path("8000/tcp").asInt());
        assertThat(etcdKeys(KEYS + "operations/")).isEmpty();
        awaitTrue(() -> etcdKeys(KEYS + "moved-away/").equals(List.of(KEYS + "moved-away/b/" + name)), "a's moved-away key forgotten", Duration.ofSeconds(20));
        // b ran it: its steps timed under the move's meter, as the move a ran
        String metrics = new Api(b.base().replace("/api/v1", ""), ADMIN).text("/actuator/prometheus");
        assertThat(metrics).contains("gda_move_phases_seconds_count{phase=\"prepare\"} 1", "gda_move_phases_seconds_count{phase=\"commit\"} 1")
                .doesNotContain("gda_move_phases_seconds_count{phase=\"copy\"}");

        // and to version 2, on b: back across, with version 2's files and the volume as it is now
        exec(a, name, "echo three > /data/after");
        Api.Reply again = b.patch("/replicaSet/" + name + "/rollback", Map.of("version", 2));
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        JsonNode there = a.get("/replicaSet/" + name).data();
        assertThat(there.path("node").asString()).isEqualTo("b");
        assertThat(there.path("version").asLong()).isEqualTo(4);
        assertThat(exec(b, name, LOOK)).isEqualTo("/root/before one\n/root/after two\n/data/before one\n/data/after three\n");
        assertThat(runningContainers("b", name)).containsExactly(name + "-4");
        assertThat(runningContainers("a", name)).isEmpty();
        assertHeldOnlyOn(name, "b", 1, there.path("ports").path("8000/tcp").asInt());
        assertThat(etcdKeys(KEYS + "operations/")).isEmpty();
    }

    @Test
    @Order(2)
    void aRollbackRefusedForWantOfGpusOnTheOtherNodeTakesNothing() throws Exception {
        String name = name("rbnogpu");
        Map<String, Object> body = body(name, 2);
        body.put("node", "a");
        assertThat(b.post("/replicaSet", body).status()).isEqualTo(200);
        Api.Reply moved = a.post("/replicaSet/" + name + "/move", Map.of("node", "b"));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        String filler = name("rbfiller");
        Map<String, Object> seven = body(filler, 7);
        seven.put("node", "a");
        assertThat(b.post("/replicaSet", seven).status()).isEqualTo(200);
        Map<String, String> keysBefore = etcdValues(KEYS);

        Api.Reply refused = a.patch("/replicaSet/" + name + "/rollback", Map.of("version", 1));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo(1013);
        assertThat(refused.msg()).contains("node 'a'");
        JsonNode still = a.get("/replicaSet/" + name).data();
        assertThat(still.path("node").asString()).isEqualTo("b");
        assertThat(still.path("version").asLong()).isEqualTo(2);
        assertThat(still.path("state").asString()).isEqualTo("running");
        assertThat(runningContainers("b", name)).containsExactly(name + "-2");
        assertThat(containersOf("a", name)).containsExactly(name + "-1");
        assertThat(etcdValues(KEYS)).as("etcd, less the nodes' own figures").isEqualTo(keysBefore);
        assertThat(etcdKeys(KEYS + "operations/")).isEmpty();
    }

    /** The record's holdings are allocation keys of {@code node} only, GPUs included. */
    private void assertHeldOnlyOn(String name, String node, int gpus, int port) {
        String other = node.equals("a") ? "b" : "a";
        Map<String, String> all = etcdValues(KEYS);
        assertThat(all).containsEntry("ports/" + node + "/" + port, name);
        assertThat(all.entrySet()).noneMatch(e -> (e.getKey().startsWith("ports/" + other + "/") || e.getKey().startsWith("cpus/" + other + "/"))
                && name.equals(e.getValue()));
        List<String> gpuKeys = all.entrySet().stream().filter(e -> e.getKey().startsWith("gpus/") && name.equals(e.getValue())).map(Map.Entry::getKey).toList();
        assertThat(gpuKeys).hasSize(gpus).allMatch(k -> node.equals("b") == k.startsWith("gpus/" + NODE2_GPU));
    }

    private String name(String base) {
        String n = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        replicaSets.add(n);
        return n;
    }

    private String volume(String base, String node) {
        String n = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        volumes.add(n);
        Api.Reply r = a.post("/volumes", Map.of("name", n, "node", node));
        assertThat(r.status()).as("create volume %s: %s", n, r).isEqualTo(200);
        return n;
    }

    private Map<String, Object> body(String name, int gpus) {
        Map<String, Object> body = new HashMap<>();
        body.put("imageName", IntegrationTestBase.IMAGE);
        body.put("replicaSetName", name);
        body.put("gpuCount", gpus);
        body.put("cmd", IntegrationTestBase.SLEEP);
        return body;
    }

    private String exec(Api via, String name, String script) {
        Api.Reply r = via.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("sh", "-c", script)));
        assertThat(r.status()).as("exec in %s: %s", name, r).isEqualTo(200);
        assertThat(r.data().path("exitCode").asLong()).as("exit code of '%s': %s", script, r).isZero();
        return r.data().path("stdout").asString();
    }

    private static List<String> strings(Iterable<JsonNode> nodes) {
        List<String> out = new ArrayList<>();
        nodes.forEach(n -> out.add(n.asString()));
        return out;
    }

    private List<String> containersOf(String node, String replicaSet) {
        return lines(docker(node, "ps", "-a", "--format", "{{.Names}}",
                "--filter", "label=io.gpudocker.owner=" + PREFIX, "--filter", "label=io.gpudocker.replicaset=" + replicaSet));
    }

    private List<String> runningContainers(String node, String replicaSet) {
        return lines(docker(node, "ps", "--format", "{{.Names}}",
                "--filter", "label=io.gpudocker.owner=" + PREFIX, "--filter", "label=io.gpudocker.replicaset=" + replicaSet));
    }

    private static List<String> lines(String out) {
        return out.isBlank() ? List.of() : List.of(out.trim().split("\n"));
    }

    private String docker(String node, String... args) {
        return RigShell.docker(engines.get(node), args);
    }

    private List<String> etcdKeys(String prefix) {
        return RigShell.etcdKeys(etcd, prefix);
    }

    /** Key (less {@code prefix}) to value, leaving out the nodes' own figures. */
    private Map<String, String> etcdValues(String prefix) {
        List<String> lines = RigShell.run(Map.of("ETCDCTL_API", "3"), "etcdctl", "--endpoints", etcd, "get", "--prefix", prefix).lines().toList();
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String key = lines.get(i).substring(prefix.length());
            if (!key.startsWith("nodes/") && !key.startsWith("node-members/")) {
                m.put(key, lines.get(i + 1));
            }
        }
        return m;
    }

    private void wipe() {
        RigShell.wipe(etcd, engines, PREFIX);
    }

    private static void awaitTrue(BooleanSupplier condition, String what, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException | AssertionError notYet) {
                // not yet
            }
            Thread.sleep(250);
        }
        assertThat(condition.getAsBoolean()).as(what + " within " + limit).isTrue();
    }
}
