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
import org.openqa.selenium.By;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * Moving instances between two nodes on one etcd prefix, as ClusterIT starts them: node a on the rig's engine with 8
 * stand-in GPUs, node b on the second engine with 4. Both nodes hand out host ports from the same range, as two hosts
 * would; on this one host the source's running container still holds its port when the target reserves (a target
 * host where the number is free keeps it), so here the target gives another and says so. What each move
 * carries is checked file by file inside the instance (checksums, modes, links, a deleted image file, an opaque
 * directory), and, while files change, are added and deleted during the copy made as the instance runs and after
 * it, the trees on both nodes entry by entry once it is stopped; what it holds in etcd key by key, and what is left
 * in both engines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MoveIT {
    private static final String PREFIX = "/gpu-docker-api-move-it";
    private static final String KEYS = PREFIX + "/apis/v1/";
    private static final String ADMIN = IntegrationTestBase.ADMIN_TOKEN;
    private static final String IMAGE = IntegrationTestBase.IMAGE;
    private static final String NODE2_GPU = "GPU-00000000-0000-4000-8000-1";

    /** Writes the files a move must carry, in the system disk and in the volume at /data. */
    private static final String WRITE = String.join(" && ",
            "mkdir -p /root/dir/sub", "head -c 300000 /dev/urandom > /root/dir/sub/blob", "chmod 0640 /root/dir/sub/blob",
            "echo run > /root/exe", "chmod 4750 /root/exe", "ln -s dir/sub/blob /root/link", "ln /root/exe /root/hard",
            "rm /etc/image-release", "rm -rf /var/log", "mkdir /var/log", "echo fresh > /var/log/new",
            "head -c 500000 /dev/urandom > /data/big", "chmod 0600 /data/big", "mkdir -p /data/d", "echo v > /data/d/f", "ln -s ../big /data/d/l",
            "echo gone > /data/gone", "rm /data/gone");
    /** What the instance's files look like: contents, modes, kinds, links, what is absent. */
    private static final String LOOK = String.join("; ",
            "sha256sum /root/dir/sub/blob /root/exe /data/big /data/d/f /var/log/new",
            "stat -c '%n %a %F %h' /root/dir/sub/blob /root/exe /root/hard /root/link /data/big /data/d /data/d/l",
            "readlink /root/link", "readlink /data/d/l", "ls -a /var/log",
            "test -e /etc/image-release && echo image-release-present || echo image-release-deleted",
            "test -e /data/gone && echo gone-present || echo gone-deleted", "test -e /bin/arp && echo arp || echo no-arp");

    /**
     * Runs in the instance while it moves, until its stop ends it: files changed, added and deleted (hard links, modes,
     * a directory replaced by a file, an image file deleted) in the system disk and the volume, every 50 ms.
     */
    private static final String CHURN = String.join("; ",
            "mkdir -p /root/churn /data/churn", "i=0", "while true", "do i=$((i+1))", "echo $i > /root/churn/counter",
            "head -c 20000 /dev/urandom > /data/churn/c$i", "rm -f /data/churn/c$((i-3))", "mkdir -p /root/churn/d$i",
            "echo $i > /root/churn/d$i/f", "rm -rf /root/churn/d$((i-2))", "chmod 06$((i % 8))$((i % 8)) /root/churn/counter",
            "ln -f /root/churn/counter /root/churn/hard", "ln -f /data/churn/c$i /data/churn/hard", "rm -rf /root/churn/flip", "if [ $((i % 2)) = 0 ]; then mkdir /root/churn/flip; "
                    + "else echo f > /root/churn/flip; fi", "if [ $i = 3 ]; then rm -f /bin/yes; fi", "sleep 0.05", "done");
    /**
     * Every entry of the tree given: path, kind, mode, owner, links, size, modification time, link target, device
     * numbers (overlay's whiteouts), extended attributes (its opaque marks), a file's SHA-256, and which paths share
     * an inode (whiteouts aside: overlay links them all to one inode of its work directory, a copy makes one each, and
     * to overlay either is a whiteout).
     */
    private static final String MANIFEST = String.join("\n",
            "import hashlib, os, stat, sys",
            "root = sys.argv[1]; inodes = {}",
            "for d, dirs, files in os.walk(root):",
            "    for n in sorted(dirs + files):",
            "        p = os.path.join(d, n); st = os.lstat(p); rel = os.path.relpath(p, root)",
            // a whiteout is a 0:0 device whatever its inode: overlay links its whiteouts to one inode of its own, a copy makes one each
            "        whiteout = stat.S_ISCHR(st.st_mode) and st.st_rdev == 0",
            "        line = [rel, oct(st.st_mode), str(st.st_uid), str(st.st_gid), '-' if whiteout else str(st.st_nlink), str(st.st_size), str(st.st_mtime_ns)]",
            "        if stat.S_ISLNK(st.st_mode): line.append('-> ' + os.readlink(p))",
            "        if stat.S_ISCHR(st.st_mode): line.append('dev %d:%d' % (os.major(st.st_rdev), os.minor(st.st_rdev)))",
            "        if stat.S_ISREG(st.st_mode): line.append(hashlib.sha256(open(p, 'rb').read()).hexdigest())",
            "        if not stat.S_ISLNK(st.st_mode): line += sorted(k + '=' + repr(os.getxattr(p, k)) for k in os.listxattr(p))",
            "        if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode) and not whiteout: inodes.setdefault(st.st_ino, []).append(rel)",
            "        print(' '.join(line))",
            "for group in sorted(sorted(g) for g in inodes.values()): print('linked', ' '.join(group))");

    private final Map<String, String> env = System.getenv();
    private final String etcd = env.getOrDefault("GDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379");
    private final Map<String, String> engines = Map.of(
            "a", env.getOrDefault("GDA_DOCKER_HOST", "unix:///tmp/gda-test/docker.sock"),
            "b", env.getOrDefault("GDA_NODE2_DOCKER_HOST", "unix:///tmp/gda-test/node2/docker.sock"));
    private final Map<String, ServiceProcess> processes = new HashMap<>();
    private final List<String> replicaSets = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();
    private final Map<String, Integer> httpPorts = new HashMap<>();
    private String portRange;
    private Api a;
    private Api b;

    @BeforeAll
    void startBothNodes() throws Exception {
        wipe();
        FileSystemUtils.deleteRecursively(Path.of("target", "move-it"));
        portRange = env.getOrDefault("GDA_IT_CLUSTER_PORTS", "47000-47399");
        int portA = ServiceProcess.freePort();
        int portB = ServiceProcess.freePort();
        a = new Api("http://127.0.0.1:" + portA + "/api/v1", ADMIN);
        b = new Api("http://127.0.0.1:" + portB + "/api/v1", ADMIN);
        start("a", portA, engines.get("a"), env.getOrDefault("GDA_GPU_NVIDIA_SMI", "nvidia-smi"));
        start("b", portB, engines.get("b"), env.getOrDefault("GDA_NODE2_NVIDIA_SMI", "nvidia-smi"));
        processes.get("a").awaitUp(() -> a.get("/whoami").status() == 200);
        processes.get("b").awaitUp(() -> b.get("/whoami").status() == 200);
        awaitTrue(() -> a.get("/nodes").data().size() == 2 && b.get("/nodes").data().findValues("state").stream().allMatch(s -> s.asString().equals("up")),
                "both nodes up", Duration.ofSeconds(30));
    }

    private void start(String node, int port, String dockerHost, String nvidiaSmi) throws IOException {
        httpPorts.put(node, port);
        List<String> flags = ServiceProcess.rigFlags(port, dockerHost, nvidiaSmi, ADMIN,
                "--node-name", node, "--advertise", "http://127.0.0.1:" + port, "--gda.node.lease-ttl=4s", "--gda.reconcile.period=3s",
                "--gda.state-dir=" + Path.of("target", "move-it", node).toAbsolutePath());
        processes.put(node, ServiceProcess.start("move-it-" + node, PREFIX, portRange, flags));
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
        // what a move left on its source goes once its replicaset is deleted (each node sweeps every 5 s)
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
        assertThat(left).allSatisfy((what, found) -> assertThat(found).as(what).isEmpty());
    }

    @Test
    @Order(1)
    void aMoveCarriesTheSystemDiskAndTheVolumeThenMovesBack() throws Exception {
        String vol = volume("mvdata", "a");
        String name = name("mover");
        Map<String, Object> body = body(name, 2);
        body.put("node", "a");
        body.put("containerPorts", List.of("8000"));
        body.put("binds", List.of(Map.of("src", vol + "-1", "dest", "/data")));
        Api.Reply created = b.post("/replicaSet", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        exec(a, name, WRITE);
        String before = exec(a, name, LOOK);
        assertThat(before).contains("image-release-deleted", "gone-deleted", "4750 regular file 2", "\ndir/sub/blob\n../big\n", "\nnew\n", "arp");
        JsonNode was = a.get("/replicaSet/" + name).data();
        int port = was.path("ports").path("8000/tcp").asInt();
        assertThat(port).as("the host port of 8000: %s", was).isPositive();
        // enough that the copy made while it runs takes a while, with the churn going on throughout and after it
        exec(a, name, "head -c 150000000 /dev/urandom > /data/bulk");
        Process churn = new ProcessBuilder("docker", "-H", engines.get("a"), "exec", name + "-1", "sh", "-c", CHURN)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();

        // through the node that does not hold it: routed to a, which runs the move
        Api.Reply moved;
        try {
            awaitTrue(() -> exec(a, name, "cat /root/churn/counter").trim().matches("[1-9][0-9]+"), "the churn going", Duration.ofSeconds(30));
            moved = b.post("/replicaSet/" + name + "/move", Map.of("node", "b"));
        } finally {
            churn.destroy();
        }
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.data().path("phaseMillis").has("preCopy")).as(moved.toString()).isTrue();
        assertThat(moved.data().path("phaseMillis").has("finalCopy")).as(moved.toString()).isTrue();
        // the trees on b are the ones N left on a when it stopped, churn and all
        String upperA = docker("a", "inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", name + "-1").trim();
        String upperB = docker("b", "inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", name + "-2").trim();
        String dataA = docker("a", "volume", "inspect", "-f", "{{.Mountpoint}}", vol + "-1").trim();
        String dataB = docker("b", "volume", "inspect", "-f", "{{.Mountpoint}}", vol + "-2").trim();
        String diskA = manifest(upperA);
        assertThat(diskA).contains("root/churn/counter", "bin/yes 0o20000").contains("dev 0:0");
        assertThat(manifest(upperB)).isEqualTo(diskA);
        assertThat(manifest(dataB)).isEqualTo(manifest(dataA)).contains("linked");
        assertThat(moved.data().path("to").asString()).isEqualTo("b");
        assertThat(moved.data().path("version").asLong()).isEqualTo(2);
        assertThat(moved.data().path("portsChanged").asBoolean()).isTrue();
        int movedPort = moved.data().path("ports").path("8000/tcp").asInt();
        assertThat(movedPort).isNotEqualTo(port).isPositive();
        assertThat(moved.data().path("bytes").asLong()).isGreaterThan(800_000);
        assertThat(moved.data().path("volumes").path(vol + "-1").asString()).isEqualTo(vol + "-2");

        JsonNode now = a.get("/replicaSet/" + name).data();
        assertThat(now.path("node").asString()).isEqualTo("b");
        assertThat(now.path("state").asString()).isEqualTo("running");
        assertThat(now.path("ports").path("8000/tcp").asInt()).isEqualTo(movedPort);
        assertThat(strings(now.path("gpus"))).hasSize(2).allMatch(g -> g.startsWith(NODE2_GPU));
        assertThat(exec(a, name, LOOK)).isEqualTo(before);
        assertThat(exec(a, name, "test -e /bin/yes && echo yes || echo no-yes")).isEqualTo("no-yes\n");
        assertThat(runningContainers("b", name)).containsExactly(name + "-2");
        assertThat(runningContainers("a", name)).isEmpty();
        assertThat(containersOf("a", name)).containsExactly(name + "-1");
        JsonNode volume = a.get("/volumes/" + vol).data();
        assertThat(volume.path("node").asString()).isEqualTo("b");
        assertThat(volume.path("version").asLong()).isEqualTo(2);
        assertHeldOnlyOn(name, "b", 2, movedPort);
        assertThat(etcdKeys(KEYS + "operations/")).isEmpty();
        assertThat(etcdKeys(KEYS + "moved-away/")).containsExactly(KEYS + "moved-away/a/" + name);

        // and back, with one GPU: a new version again, the files as they were
        Api.Reply back = a.post("/replicaSet/" + name + "/move", Map.of("node", "a", "gpuCount", 1));
        assertThat(back.status()).as(back.toString()).isEqualTo(200);
        JsonNode home = a.get("/replicaSet/" + name).data();
        assertThat(home.path("node").asString()).isEqualTo("a");
        assertThat(home.path("version").asLong()).isEqualTo(3);
        int homePort = back.data().path("ports").path("8000/tcp").asInt();
        assertThat(home.path("ports").path("8000/tcp").asInt()).isEqualTo(homePort).isNotEqualTo(movedPort);
        assertThat(strings(home.path("gpus"))).hasSize(1).noneMatch(g -> g.startsWith(NODE2_GPU));
        assertThat(exec(b, name, LOOK)).isEqualTo(before);
        assertThat(manifest(docker("a", "inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", name + "-3").trim())).as("moved back")
                .isEqualTo(manifest(docker("b", "inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", name + "-2").trim()));
        assertThat(runningContainers("a", name)).containsExactly(name + "-3");
        assertThat(containersOf("b", name)).containsExactly(name + "-2");
        assertHeldOnlyOn(name, "a", 1, homePort);
        assertThat(a.get("/volumes/" + vol).data().path("version").asLong()).isEqualTo(3);
        // back on a, its versions here are its history again; b keeps what the second move left
        awaitTrue(() -> etcdKeys(KEYS + "moved-away/").equals(List.of(KEYS + "moved-away/b/" + name)), "a's moved-away key forgotten", Duration.ofSeconds(20));
        assertThat(exec(a, name, "cat /root/exe")).isEqualTo("run\n");
    }

    @Test
    @Order(2)
    void refusalsTakeNothing() throws Exception {
        String name = name("stay");
        Map<String, Object> body = body(name, 2);
        body.put("node", "a");
        assertThat(a.post("/replicaSet", body).status()).isEqualTo(200);
        String filler = name("filler");
        Map<String, Object> three = body(filler, 3);
        three.put("node", "b");
        assertThat(a.post("/replicaSet", three).status()).isEqualTo(200);
        // the free count is b's published figure: wait for it to show the filler's take before comparing against it
        awaitTrue(() -> freeGpus("b") == 1, "b publishes one GPU free", Duration.ofSeconds(20));
        Map<String, String> keysBefore = etcdValues(KEYS);
        int bFree = freeGpus("b");

        // b has one GPU free, the instance holds two
        Api.Reply tooMany = b.post("/replicaSet/" + name + "/move", Map.of("node", "b"));
        assertThat(tooMany.status()).as(tooMany.toString()).isEqualTo(409);
        assertThat(tooMany.code()).isEqualTo(1013);
        Api.Reply unknown = a.post("/replicaSet/" + name + "/move", Map.of("node", "nosuchnode"));
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo(1131);
        Api.Reply same = b.post("/replicaSet/" + name + "/move", Map.of("node", "a"));
        assertThat(same.status()).as(same.toString()).isEqualTo(400);
        assertThat(same.code()).isEqualTo(1130);
        // the calls between the two nodes of a move answer only a node's signed call, never a token's
        for (Api.Reply internal : List.of(a.post("/internal/moves/" + name + "/abort", Map.of("moveId", "x")),
                a.get("/internal/moves/" + name + "/export?move=x&part=disk"), a.post("/internal/moves/" + name + "/containers", Map.of()))) {
            assertThat(internal.status()).as(internal.toString()).isEqualTo(403);
            assertThat(internal.code()).isEqualTo(1133);
        }

        JsonNode still = a.get("/replicaSet/" + name).data();
        assertThat(still.path("node").asString()).isEqualTo("a");
        assertThat(still.path("version").asLong()).isEqualTo(1);
        assertThat(runningContainers("a", name)).containsExactly(name + "-1");
        assertThat(containersOf("b", name)).isEmpty();
        assertThat(etcdValues(KEYS)).as("etcd, less the nodes' own figures").isEqualTo(keysBefore);
        assertThat(freeGpus("b")).isEqualTo(bFree);
        assertThat(b.get("/resources/gpus").status()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void aDrainMovesWhatFitsInOrderAndReportsWhatStays() throws Exception {
        awaitTrue(() -> freeGpus("b") == 4 && freeGpus("a") == 8, "all GPUs published free", Duration.ofSeconds(20));
        String first = name("drainx");
        String second = name("drainy");
        String third = name("drainz");
        for (Map.Entry<String, Integer> e : List.of(Map.entry(first, 1), Map.entry(second, 2), Map.entry(third, 3))) {
            Map<String, Object> body = body(e.getKey(), e.getValue());
            body.put("node", "a");
            assertThat(b.post("/replicaSet", body).status()).isEqualTo(200);
            exec(a, e.getKey(), "echo " + e.getKey() + " > /root/who");
        }

        Api.Reply tenant = b.as("nobody").post("/nodes/a/drain", Map.of());
        assertThat(tenant.status()).as(tenant.toString()).isIn(401, 403);
        Api.Reply started = b.post("/nodes/a/drain", Map.of());
        assertThat(started.status()).as(started.toString()).isEqualTo(200);
        assertThat(started.data().path("instances").findValues("name").stream().map(JsonNode::asString).toList())
                .containsExactly(first, second, third);
        awaitTrue(() -> "done".equals(nodeView("a").path("drain").path("state").asString()), "drain of a done", Duration.ofSeconds(180));

        JsonNode a0 = nodeView("a");
        assertThat(a0.path("cordoned").asBoolean()).isTrue();
        Map<String, JsonNode> outcome = new HashMap<>();
        a0.path("drain").path("instances").forEach(i -> outcome.put(i.path("name").asString(), i));
        assertThat(outcome.get(first).path("outcome").asString()).isEqualTo("moved");
        assertThat(outcome.get(first).path("node").asString()).isEqualTo("b");
        assertThat(outcome.get(second).path("outcome").asString()).isEqualTo("moved");
        assertThat(outcome.get(third).path("outcome").asString()).isEqualTo("stays");
        assertThat(outcome.get(third).path("reason").asString()).contains("GPU");
        for (String moved : List.of(first, second)) {
            assertThat(a.get("/replicaSet/" + moved).data().path("node").asString()).isEqualTo("b");
            assertThat(runningContainers("b", moved)).containsExactly(moved + "-2");
            assertThat(exec(a, moved, "cat /root/who")).isEqualTo(moved + "\n");
        }
        assertThat(a.get("/replicaSet/" + third).data().path("node").asString()).isEqualTo("a");
        assertThat(runningContainers("a", third)).containsExactly(third + "-1");
        assertThat(etcdKeys(KEYS + "operations/")).isEmpty();
        // open again for what follows
        assertThat(a.patch("/nodes/a", Map.of("cordoned", false)).status()).isEqualTo(200);
    }

    @Test
    @Order(4)
    void aTargetKilledMidCopyLeavesTheInstanceOnItsSourceAndItsRestartRemovesWhatTheMoveMade() throws Exception {
        String name = instanceWithData("tgtkill");
        String before = exec(a, name, "sha256sum /data/bulk /root/own");
        String started = docker("a", "inspect", "-f", "{{.State.StartedAt}}", name + "-1");

        Api.Reply failed = moveKilling(name, "b", "pre-copying");
        assertThat(failed.status()).as(failed.toString()).isGreaterThanOrEqualTo(500);
        JsonNode still = a.get("/replicaSet/" + name).data();
        assertThat(still.path("node").asString()).isEqualTo("a");
        assertThat(still.path("version").asLong()).isEqualTo(1);
        assertThat(still.path("state").asString()).isEqualTo("running");
        assertThat(runningContainers("a", name)).containsExactly(name + "-1");
        assertThat(exec(a, name, "sha256sum /data/bulk /root/own")).isEqualTo(before);
        assertThat(docker("a", "inspect", "-f", "{{.State.StartedAt}}", name + "-1")).as("killed during the pre-copy: never stopped").isEqualTo(started);
        assertThat(etcdKeys(KEYS + "operations/a/")).as("the source's intent is dropped with the undo").isEmpty();

        restart("b");
        awaitTrue(() -> containersOf("b", name).isEmpty() && etcdKeys(KEYS + "operations/").isEmpty()
                        && docker("b", "volume", "ls", "-q", "--filter", "label=io.gpudocker.owner=" + PREFIX).isBlank(),
                "what the move made on b removed once b is back", Duration.ofSeconds(60));
        awaitTrue(() -> freeGpus("b") == 4, "b's GPUs all free", Duration.ofSeconds(30));
        assertThat(etcdValues(KEYS).keySet()).noneMatch(k -> k.startsWith("ports/b/") || k.startsWith("cpus/b/"));
    }

    @Test
    @Order(5)
    void aSourceKilledDuringThePreCopyLeavesItsVersionRunningUntouchedAndTheTargetKeepsNothing() throws Exception {
        String name = instanceWithData("prekill");
        String before = exec(a, name, "sha256sum /data/bulk /root/own");
        String started = docker("a", "inspect", "-f", "{{.State.StartedAt}}", name + "-1");

        Api.Reply failed = moveKilling(name, "a", "pre-copying");
        assertThat(failed.status()).as(failed.toString()).isGreaterThanOrEqualTo(500);
        awaitTrue(() -> containersOf("b", name).isEmpty() && etcdKeys(KEYS + "operations/b/").isEmpty()
                        && docker("b", "volume", "ls", "-q", "--filter", "label=io.gpudocker.owner=" + PREFIX).isBlank(),
                "nothing of the move left on b", Duration.ofSeconds(60));
        assertThat(etcdKeys(KEYS + "operations/a/")).as("nothing to repair: the source never stopped it").isEmpty();
        assertThat(runningContainers("a", name)).as("runs on while its node is down").containsExactly(name + "-1");

        restart("a");
        JsonNode back = a.get("/replicaSet/" + name).data();
        assertThat(back.path("node").asString()).isEqualTo("a");
        assertThat(back.path("version").asLong()).isEqualTo(1);
        assertThat(back.path("state").asString()).isEqualTo("running");
        assertThat(docker("a", "inspect", "-f", "{{.State.StartedAt}}", name + "-1")).as("never stopped nor started again").isEqualTo(started);
        assertThat(exec(a, name, "sha256sum /data/bulk /root/own")).isEqualTo(before);
        assertThat(etcdKeys(KEYS + "operations/")).isEmpty();
        awaitTrue(() -> freeGpus("b") == 4, "b's GPUs all free", Duration.ofSeconds(30));
    }

    @Test
    @Order(6)
    void aSourceKilledDuringTheFinalCopyRunsItsVersionAgainWhenItIsBackAndTheTargetKeepsNothing() throws Exception {
        String name = instanceWithData("srckill");
        String before = exec(a, name, "sha256sum /data/bulk /root/own");

        // written while the pre-copy runs, so the copy made once it is stopped has hundreds of MB to carry when a dies
        Api.Reply failed = moveKilling(name, "a", "copying what changed", () -> new ProcessBuilder("docker", "-H", engines.get("a"), "exec", name + "-1",
                "sh", "-c", "head -c 600000000 /dev/zero > /data/late").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        assertThat(failed.status()).as(failed.toString()).isGreaterThanOrEqualTo(500);
        // the target gave the move up as soon as the files stopped coming
        awaitTrue(() -> containersOf("b", name).isEmpty() && etcdKeys(KEYS + "operations/b/").isEmpty()
                        && docker("b", "volume", "ls", "-q", "--filter", "label=io.gpudocker.owner=" + PREFIX).isBlank(),
                "nothing of the move left on b", Duration.ofSeconds(60));
        assertThat(etcdKeys(KEYS + "operations/a/")).as("the source died holding its intent").hasSize(1);

        restart("a");
        awaitTrue(() -> runningContainers("a", name).equals(List.of(name + "-1")), "version 1 running again on a", Duration.ofSeconds(60));
        JsonNode back = a.get("/replicaSet/" + name).data();
        assertThat(back.path("node").asString()).isEqualTo("a");
        assertThat(back.path("version").asLong()).isEqualTo(1);
        assertThat(back.path("state").asString()).isEqualTo("running");
        assertThat(exec(a, name, "sha256sum /data/bulk /root/own")).isEqualTo(before);
        assertThat(etcdKeys(KEYS + "operations/")).isEmpty();
        awaitTrue(() -> freeGpus("b") == 4, "b's GPUs all free", Duration.ofSeconds(30));
    }

    /** An instance on a with enough data in its volume that its move is still copying when a node is killed. */
    private String instanceWithData(String base) {
        String vol = volume(base + "v", "a");
        String name = name(base);
        Map<String, Object> body = body(name, 1);
        body.put("node", "a");
        body.put("binds", List.of(Map.of("src", vol + "-1", "dest", "/data")));
        assertThat(b.post("/replicaSet", body).status()).isEqualTo(200);
        exec(a, name, "head -c 800000000 /dev/zero > /data/bulk && echo mine > /root/own");
        return name;
    }

    /** Something started once the pre-copy runs. */
    private interface DuringPreCopy {
        Process start() throws IOException;
    }

    /** Starts the move to b and SIGKILLs {@code victim} once its progress step starts with {@code step}; the move's answer. */
    private Api.Reply moveKilling(String name, String victim, String step) throws Exception {
        return moveKilling(name, victim, step, null);
    }

    private Api.Reply moveKilling(String name, String victim, String step, DuringPreCopy during) throws Exception {
        java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newSingleThreadExecutor();
        Process started = null;
        try {
            java.util.concurrent.Future<Api.Reply> move = one.submit(() -> (victim.equals("a") ? b : a).post("/replicaSet/" + name + "/move", Map.of("node", "b")));
            if (during != null) {
                awaitTrue(() -> a.get("/replicaSet/" + name).data().path("progress").path("step").asString().startsWith("pre-copying"),
                        "the move pre-copying", Duration.ofSeconds(60));
                started = during.start();
            }
            awaitTrue(() -> a.get("/replicaSet/" + name).data().path("progress").path("step").asString().startsWith(step),
                    "the move at '" + step + "'", Duration.ofSeconds(60));
            processes.get(victim).kill();
            return move.get(120, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            one.shutdownNow();
            if (started != null) {
                started.destroy();
            }
        }
    }

    @Test
    @Order(7)
    void aStoppedInstanceMovesStoppedHoldingNothingAndAPausedOneIsRefused() throws Exception {
        String vol = volume("stopdata", "a");
        String name = name("stopped");
        Map<String, Object> body = body(name, 2);
        body.put("node", "a");
        body.put("binds", List.of(Map.of("src", vol + "-1", "dest", "/data")));
        assertThat(b.post("/replicaSet", body).status()).isEqualTo(200);
        exec(a, name, "echo kept > /root/kept && echo data > /data/kept && rm /etc/image-release");
        String paused = name("paused");
        Map<String, Object> other = body(paused, 1);
        other.put("node", "a");
        assertThat(b.post("/replicaSet", other).status()).isEqualTo(200);
        assertThat(a.patch("/replicaSet/" + paused + "/pause", null).status()).isEqualTo(200);
        assertThat(a.patch("/replicaSet/" + name + "/stop", null).status()).isEqualTo(200);
        Map<String, String> keysBefore = etcdValues(KEYS);

        Api.Reply refused = b.post("/replicaSet/" + paused + "/move", Map.of("node", "b"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo(1132);
        assertThat(refused.msg()).contains("paused", "continue it, or stop it");
        assertThat(etcdValues(KEYS)).isEqualTo(keysBefore);

        Api.Reply moved = b.post("/replicaSet/" + name + "/move", Map.of("node", "b"));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.data().path("downtimeMillis").asLong()).isZero();
        assertThat(moved.data().path("phaseMillis").has("preCopy")).isFalse();
        JsonNode now = a.get("/replicaSet/" + name).data();
        assertThat(now.path("node").asString()).isEqualTo("b");
        assertThat(now.path("state").asString()).isEqualTo("stopped");
        assertThat(now.path("version").asLong()).isEqualTo(2);
        assertThat(now.path("gpus").size()).isZero();
        assertThat(runningContainers("b", name)).isEmpty();
        assertThat(containersOf("b", name)).containsExactly(name + "-2");
        assertThat(etcdValues(KEYS).entrySet()).as("a stopped instance holds nothing, on either node")
                .noneMatch(e -> name.equals(e.getValue()) && (e.getKey().startsWith("gpus/") || e.getKey().startsWith("ports/") || e.getKey().startsWith("cpus/")));
        assertThat(etcdKeys(KEYS + "operations/")).isEmpty();

        // a restart there takes its GPUs on b and runs it with the files it had
        Api.Reply restarted = a.patch("/replicaSet/" + name + "/restart", null);
        assertThat(restarted.status()).as(restarted.toString()).isEqualTo(200);
        assertThat(exec(a, name, "cat /root/kept /data/kept; test -e /etc/image-release && echo present || echo deleted")).isEqualTo("kept\ndata\ndeleted\n");
        assertThat(strings(a.get("/replicaSet/" + name).data().path("gpus"))).hasSize(2).allMatch(g -> g.startsWith(NODE2_GPU));
    }

    /**
     * The console's Move on two nodes: the dialog offers the other node, the page shows the move as it runs and the
     * instance on its new node after it, with its files.
     */
    @Test
    @Order(8)
    void theConsoleMovesAnInstanceToTheOtherNodeAndShowsItThere() throws Exception {
        String name = name("console");
        Map<String, Object> body = body(name, 1);
        body.put("node", "a");
        assertThat(b.post("/replicaSet", body).status()).isEqualTo(200);
        String sum = exec(a, name, "head -c 50000000 /dev/urandom > /root/bulk && sha256sum /root/bulk");
        Browser browser = new Browser("http://127.0.0.1:" + httpPorts.get("a"));
        try {
            browser.signIn(ADMIN);
            browser.go("#/instances/" + name);
            browser.waitText(Browser.test("node"), "a");
            browser.click(Browser.test("move"));
            assertThat(browser.waitFor(Browser.test("move-node")).getDomProperty("value")).as("the other node, offered").isEqualTo("b");
            browser.click(Browser.test("dialog-confirm"));
            assertThat(browser.waitText(Browser.test("progress"), "Moving")).contains("Moving");
            browser.waitText(By.cssSelector(".toast"), "Moved to node b");
            browser.waitText(Browser.test("node"), "b");
            browser.waitText(Browser.test("current-version"), "version 2");
            browser.waitGone(Browser.test("progress"));
        } finally {
            browser.close();
        }
        JsonNode now = a.get("/replicaSet/" + name).data();
        assertThat(now.path("node").asString()).isEqualTo("b");
        assertThat(now.path("state").asString()).isEqualTo("running");
        assertThat(runningContainers("b", name)).containsExactly(name + "-2");
        assertThat(runningContainers("a", name)).isEmpty();
        assertThat(exec(a, name, "sha256sum /root/bulk")).isEqualTo(sum);
    }

    /** {@link #MANIFEST} of the tree at {@code dir} on this host. */
    private static String manifest(String dir) {
        return RigShell.run(Map.of(), "python3", "-c", MANIFEST, dir);
    }

    private void restart(String node) throws Exception {
        start(node, httpPorts.get(node), engines.get(node),
                node.equals("a") ? env.getOrDefault("GDA_GPU_NVIDIA_SMI", "nvidia-smi") : env.getOrDefault("GDA_NODE2_NVIDIA_SMI", "nvidia-smi"));
        Api via = node.equals("a") ? a : b;
        processes.get(node).awaitUp(() -> via.get("/whoami").status() == 200);
        awaitTrue(() -> nodeView(node).path("state").asString().equals("up"), node + " up again", Duration.ofSeconds(60));
    }

    private JsonNode nodeView(String node) {
        for (JsonNode n : a.get("/nodes").data()) {
            if (n.path("name").asString().equals(node)) {
                return n;
            }
        }
        throw new AssertionError("no node " + node);
    }

    /** The record's holdings are allocation keys of {@code node} only, GPUs included, and the record says so. */
    private void assertHeldOnlyOn(String name, String node, int gpus, int port) {
        String other = node.equals("a") ? "b" : "a";
        Map<String, String> all = etcdValues(KEYS);
        assertThat(all).containsEntry("ports/" + node + "/" + port, name);
        assertThat(all.keySet()).noneMatch(k -> k.startsWith("ports/" + other + "/") || k.startsWith("cpus/" + other + "/") && name.equals(all.get(k)));
        List<String> gpuKeys = all.entrySet().stream().filter(e -> e.getKey().startsWith("gpus/") && name.equals(e.getValue())).map(Map.Entry::getKey).toList();
        assertThat(gpuKeys).hasSize(gpus).allMatch(k -> node.equals("b") == k.startsWith("gpus/" + NODE2_GPU));
    }

    private int freeGpus(String node) {
        for (JsonNode n : a.get("/nodes").data()) {
            if (n.path("name").asString().equals(node)) {
                return n.path("gpuFree").asInt();
            }
        }
        throw new AssertionError("no node " + node);
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
        body.put("imageName", IMAGE);
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

    /** Key (less {@code prefix}) to value, leaving out the nodes' own figures and anything under their leases. */
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
