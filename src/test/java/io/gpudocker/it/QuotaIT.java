package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * Tenants' quotas on two nodes of one etcd prefix (node a on the rig's engine with 8 stand-in GPUs, node b on its
 * second engine with 4), everything over HTTP as tenants and the admin call it: a take over quota is refused with
 * 1100 and leaves nothing, a lowered quota refuses new takes and leaves running instances alone, a stopped instance
 * frees its count, concurrent creates of one tenant spread over both nodes never pass the quota together, calls
 * forwarded to the other node meet the same quota, and a tenant neither reads nor sets another's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotaIT {
    private static final String PREFIX = System.getenv().getOrDefault("GDA_IT_PREFIX", "/gpu-docker-api-it") + "-quota";
    private static final String KEYS = PREFIX + "/apis/v1/";
    private static final String ADMIN = IntegrationTestBase.ADMIN_TOKEN;

    private final Map<String, String> env = System.getenv();
    private final String etcd = env.getOrDefault("GDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379");
    private final Map<String, String> engines = Map.of(
            "a", env.getOrDefault("GDA_DOCKER_HOST", "unix:///tmp/gda-test/docker.sock"),
            "b", env.getOrDefault("GDA_NODE2_DOCKER_HOST", "unix:///tmp/gda-test/node2/docker.sock"));
    private final Map<String, ServiceProcess> processes = new HashMap<>();
    private final List<String> replicaSets = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();
    private final List<String> tenants = new ArrayList<>();
    private final List<String> images = new ArrayList<>();
    private Api a;
    private Api b;

    @BeforeAll
    void startBothNodes() throws Exception {
        wipe();
        FileSystemUtils.deleteRecursively(Path.of("target", "quota-it"));
        String[] range = env.getOrDefault("GDA_IT_CLUSTER_PORTS", "47000-47399").split("-");
        int lo = Integer.parseInt(range[0]);
        int mid = lo + (Integer.parseInt(range[1]) - lo + 1) / 2;
        int portA = ServiceProcess.freePort();
        int portB = ServiceProcess.freePort();
        a = new Api("http://127.0.0.1:" + portA + "/api/v1", ADMIN);
        b = new Api("http://127.0.0.1:" + portB + "/api/v1", ADMIN);
        processes.put("a", ServiceProcess.start("quota-it-a", PREFIX, lo + "-" + (mid - 1),
                flags("a", portA, engines.get("a"), env.getOrDefault("GDA_GPU_NVIDIA_SMI", "nvidia-smi"))));
        processes.put("b", ServiceProcess.start("quota-it-b", PREFIX, mid + "-" + range[1],
                flags("b", portB, engines.get("b"), env.getOrDefault("GDA_NODE2_NVIDIA_SMI", "nvidia-smi"))));
        processes.get("a").awaitUp(() -> a.get("/whoami").status() == 200);
        processes.get("b").awaitUp(() -> b.get("/whoami").status() == 200);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (a.get("/nodes").data().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
    }

    private static List<String> flags(String node, int port, String dockerHost, String nvidiaSmi) {
        return ServiceProcess.rigFlags(port, dockerHost, nvidiaSmi, ADMIN, "--node-name", node, "--advertise", "http://127.0.0.1:" + port,
                "--gda.state-dir=" + Path.of("target", "quota-it", node).toAbsolutePath());
    }

    @AfterEach
    void deleteThisTestsObjects() {
        for (String name : replicaSets) {
            Api.Reply r = a.delete("/replicaSet/" + name);
            assertThat(r.status()).as("delete %s: %s", name, r).isIn(200, 404);
        }
        for (String name : volumes) {
            Api.Reply r = a.delete("/volumes/" + name);
            assertThat(r.status()).as("delete volume %s: %s", name, r).isIn(200, 404);
        }
        for (String t : tenants) {
            a.delete("/tokens/" + t);
        }
        for (String image : images) {
            engines.values().forEach(host -> RigShell.run(Map.of("DOCKER_HOST", host), "sh", "-c", "docker image rm -f " + image + " >/dev/null 2>&1 || true"));
        }
        replicaSets.clear();
        volumes.clear();
        tenants.clear();
        images.clear();
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
        for (String kind : List.of("replicasets/", "volumes/", "gpus/", "ports/", "cpus/", "operations/")) {
            left.put("etcd keys under " + kind, String.join(" ", etcdKeys(KEYS + kind)));
        }
        wipe();
        assertThat(left).allSatisfy((what, found) -> assertThat(found).as(what).isEmpty());
    }

    @Test
    void aCreateOverQuotaIsRefusedNamingTheQuotaAndLeavesNothing() {
        Api alice = tenant("alice", Map.of("gpus", 2, "volumes", 1, "volumeSize", "1GB"));
        create(alice, name("two"), 2, "a");

        String over = name("over");
        Api.Reply refused = alice.post("/replicaSet", body(over, 1, "b"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo(1100);
        assertThat(refused.msg()).isEqualTo("quota gpus of tenant " + tenantName("alice") + ": limit 2, in use 2, asked 1");
        assertNothingOf(over);

        Api.Reply unsized = alice.post("/volumes", Map.of("name", volume("nosize"), "node", "a"));
        assertThat(unsized.code()).as(unsized.toString()).isEqualTo(1100);
        assertThat(unsized.msg()).contains("quota volumeSize", "limit 1GB", "without a size");
        Api.Reply big = alice.post("/volumes", Map.of("name", volume("big"), "size", "2GB", "node", "b"));
        assertThat(big.code()).as(big.toString()).isEqualTo(1100);
        assertThat(big.msg()).endsWith("limit 1GB, in use 0B, asked 2GB");
        assertThat(alice.post("/volumes", Map.of("name", volume("fits"), "size", "512MB", "node", "a")).status()).isEqualTo(200);
        Api.Reply second = alice.post("/volumes", Map.of("name", volume("second"), "size", "1MB", "node", "b"));
        assertThat(second.msg()).as(second.toString()).endsWith("quota volumes of tenant " + tenantName("alice") + ": limit 1, in use 1, asked 1");
        for (String node : engines.keySet()) {
            assertThat(docker(node, "volume", "ls", "-q", "--filter", "label=io.gpudocker.owner=" + PREFIX)).as("volumes on " + node)
                    .doesNotContain("nosize", "big", "second");
        }

        JsonNode use = resources(alice.get("/whoami").data().path("quota"));
        assertThat(use.path("gpus").path("used").asLong()).isEqualTo(2);
        assertThat(use.path("gpus").path("limit").asLong()).isEqualTo(2);
        assertThat(use.path("volumeSize").path("usedText").asString()).isEqualTo("512MB");
    }

    @Test
    void aLoweredQuotaRefusesNewTakesAndLeavesRunningInstancesAloneAndAStoppedOneFreesItsCount() {
        Api bob = tenant("bob", Map.of("gpus", 3));
        String held = name("held");
        create(bob, held, 2, "b");

        quota("bob", Map.of("gpus", 1));
        assertThat(bob.get("/replicaSet/" + held).data().path("state").asString()).isEqualTo("running");
        assertThat(running("b", held)).isTrue();
        Api.Reply more = bob.post("/replicaSet", body(name("more"), 1, "a"));
        assertThat(more.msg()).as(more.toString()).isEqualTo("quota gpus of tenant " + tenantName("bob") + ": limit 1, in use 2, asked 1");
        Api.Reply lift = bob.patch("/replicaSet/" + held, Map.of("gpuPatch", Map.of("gpuCount", 3)));
        assertThat(lift.code()).as(lift.toString()).isEqualTo(1100);
        assertThat(bob.get("/replicaSet/" + held).data().path("version").asLong()).isEqualTo(1);
        assertThat(running("b", held)).as("the refused update left the running version running").isTrue();
        // a cardless instance takes none of the lowered quota
        create(bob, name("cardless"), 0, "a");

        assertThat(bob.patch("/replicaSet/" + held + "/stop", null).status()).isEqualTo(200);
        assertThat(resources(bob.get("/tenants/" + tenantName("bob") + "/quota").data()).path("gpus").path("used").asLong()).isZero();
        create(bob, name("after"), 1, "a");
        Api.Reply restart = bob.patch("/replicaSet/" + held + "/restart", null);
        assertThat(restart.msg()).as(restart.toString()).isEqualTo("quota gpus of tenant " + tenantName("bob") + ": limit 1, in use 1, asked 2");
        assertThat(bob.get("/replicaSet/" + held).data().path("state").asString()).isEqualTo("stopped");
        assertThat(gpuKeys()).hasSize(1);
    }

    @Test
    void thirtyTwoConcurrentCreatesOfOneTenantOverTwoNodesNeverPassTheQuota() throws Exception {
        Api carol = tenant("carol", Map.of("instances", 5));
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Api.Reply>> replies = new ArrayList<>();
        try {
            for (int i = 0; i < 32; i++) {
                String name = name("race");
                // half arrive at each node, and each node forwards half of its creates to the other
                Api via = i % 2 == 0 ? carol : carol.at(b);
                String node = i % 4 < 2 ? "a" : "b";
                replies.add(pool.submit(() -> {
                    go.await();
                    return via.post("/replicaSet", body(name, 0, node));
                }));
            }
            go.countDown();
            List<Api.Reply> done = new ArrayList<>();
            for (Future<Api.Reply> f : replies) {
                done.add(f.get(5, TimeUnit.MINUTES));
            }
            List<Api.Reply> created = done.stream().filter(r -> r.status() == 200).toList();
            assertThat(done).filteredOn(r -> r.status() != 200).allSatisfy(r -> assertThat(r.code()).as(r.toString()).isEqualTo(1100));
            assertThat(created).hasSize(5);
        } finally {
            pool.shutdownNow();
        }
        assertThat(a.get("/replicaSet").data()).filteredOn(r -> r.path("name").asString().startsWith("race")).hasSize(5);
        long containers = engines.keySet().stream().mapToLong(n -> docker(n, "ps", "-aq", "--filter", "label=io.gpudocker.owner=" + PREFIX)
                .lines().filter(l -> !l.isBlank()).count()).sum();
        assertThat(containers).as("containers on both engines").isEqualTo(5);
        assertThat(resources(carol.get("/whoami").data().path("quota")).path("instances").path("used").asLong()).isEqualTo(5);
    }

    @Test
    void callsForwardedToTheOtherNodeMeetTheSameQuota() {
        Api dave = tenant("dave", Map.of("gpus", 1, "executes", 0, "images", 0));
        String onB = name("onb");
        create(dave, onB, 1, "b");

        for (Api via : List.of(dave, dave.at(b))) {
            for (String node : List.of("a", "b")) {
                Api.Reply r = via.post("/replicaSet", body(name("again"), 1, node));
                assertThat(r.code()).as("via %s on %s: %s", via.base(), node, r).isEqualTo(1100);
            }
        }
        Api.Reply exec = dave.post("/replicaSet/" + onB + "/execute", Map.of("cmd", List.of("true")));
        assertThat(exec.msg()).as(exec.toString()).isEqualTo("quota executes of tenant " + tenantName("dave") + ": limit 0, in use 0, asked 1");
        String image = tenantName("dave").toLowerCase() + "/quota:v1";
        images.add(image);
        Api.Reply commit = dave.post("/replicaSet/" + onB + "/commit", Map.of("newImageName", image));
        assertThat(commit.msg()).as(commit.toString()).isEqualTo("quota images of tenant " + tenantName("dave") + ": limit 0, in use 0, asked 1");
        assertThat(docker("b", "image", "ls", "-q", image)).isBlank();
    }

    @Test
    void aRunningCommandOnOneNodeCountsAgainstTheExecutesQuotaOnTheOther() throws Exception {
        Api gina = tenant("gina", Map.of("executes", 1));
        String onA = name("execa");
        String onB = name("execb");
        create(gina, onA, 0, "a");
        create(gina, onB, 0, "b");

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Api.Reply> longRunning = pool.submit(() -> gina.post("/replicaSet/" + onA + "/execute", Map.of("cmd", List.of("sleep", "6"))));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !etcdKeys(KEYS + "quota/executes/").isEmpty());
            assertThat(etcdKeys(KEYS + "quota/executes/")).as("the open command's key names its node")
                    .anySatisfy(k -> assertThat(k).contains("/quota/executes/" + tenantName("gina") + "/held/a/"));
            for (Api via : List.of(gina, gina.at(b))) {
                Api.Reply refused = via.post("/replicaSet/" + onB + "/execute", Map.of("cmd", List.of("true")));
                assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
                assertThat(refused.msg()).isEqualTo("quota executes of tenant " + tenantName("gina") + ": limit 1, in use 1, asked 1");
            }
            assertThat(resources(gina.at(b).get("/whoami").data().path("quota")).path("executes").path("used").asLong())
                    .as("node b shows the command open on node a").isEqualTo(1);
            Api.Reply ended = longRunning.get(60, TimeUnit.SECONDS);
            assertThat(ended.status()).as(ended.toString()).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
        assertThat(etcdKeys(KEYS + "quota/executes/")).as("nothing left once the command ended").isEmpty();
        Api.Reply now = gina.at(b).post("/replicaSet/" + onB + "/execute", Map.of("cmd", List.of("echo", "mine")));
        assertThat(now.status()).as(now.toString()).isEqualTo(200);
        assertThat(now.data().path("stdout").asString()).contains("mine");
        assertThat(etcdKeys(KEYS + "quota/executes/")).isEmpty();
    }

    @Test
    void anOpenTerminalOnOneNodeCountsAgainstTheTerminalsQuotaOnTheOtherAndItsCloseGivesItBack() throws Exception {
        Api hank = tenant("hank", Map.of("terminals", 1));
        String onA = name("terma");
        String onB = name("termb");
        create(hank, onA, 0, "a");
        create(hank, onB, 0, "b");

        Api.Reply ticket = hank.post("/replicaSet/" + onA + "/terminal", null);
        assertThat(ticket.status()).as(ticket.toString()).isEqualTo(200);
        ConsoleApiIT.Output output = new ConsoleApiIT.Output();
        java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(java.net.URI.create(a.base().replace("http", "ws").replace("/api/v1", "") + ticket.data().path("path").asString()), output)
                .get(30, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"input\",\"data\":\"echo open-$((6*7))\\r\"}", true).get(10, TimeUnit.SECONDS);
        output.await("open-42");
        assertThat(etcdKeys(KEYS + "quota/terminals/")).anySatisfy(k -> assertThat(k).contains("/held/a/"));

        for (Api via : List.of(hank, hank.at(b))) {
            Api.Reply refused = via.post("/replicaSet/" + onB + "/terminal", null);
            assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
            assertThat(refused.msg()).isEqualTo("quota terminals of tenant " + tenantName("hank") + ": limit 1, in use 1, asked 1");
        }
        socket.sendText("{\"type\":\"input\",\"data\":\"exit\\r\"}", true).get(10, TimeUnit.SECONDS);
        assertThat(output.closed.get(30, TimeUnit.SECONDS)).isIn(1000, 1006);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> etcdKeys(KEYS + "quota/terminals/").isEmpty());
        assertThat(hank.at(b).post("/replicaSet/" + onB + "/terminal", null).status()).isEqualTo(200);
    }

    @Test
    void aCommitOnOneNodeCountsAgainstTheImagesQuotaOnTheOther() {
        Api ivy = tenant("ivy", Map.of("images", 1));
        String onA = name("imga");
        String onB = name("imgb");
        create(ivy, onA, 0, "a");
        create(ivy, onB, 0, "b");
        String first = tenantName("ivy").toLowerCase() + "/quota:one";
        String second = tenantName("ivy").toLowerCase() + "/quota:two";
        images.add(first);
        images.add(second);

        Api.Reply committed = ivy.post("/replicaSet/" + onA + "/commit", Map.of("newImageName", first));
        assertThat(committed.status()).as(committed.toString()).isEqualTo(200);
        assertThat(etcdKeys(KEYS + "quota/images/")).anySatisfy(k -> assertThat(k).endsWith("/held/a/" + first));
        for (Api via : List.of(ivy, ivy.at(b))) {
            Api.Reply refused = via.post("/replicaSet/" + onB + "/commit", Map.of("newImageName", second));
            assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
            assertThat(refused.msg()).isEqualTo("quota images of tenant " + tenantName("ivy") + ": limit 1, in use 1, asked 1");
        }
        assertThat(docker("b", "image", "ls", "-q", second)).as("nothing committed on b").isBlank();
        assertThat(resources(ivy.at(b).get("/whoami").data().path("quota")).path("images").path("used").asLong()).isEqualTo(1);
        Api.Reply again = ivy.post("/replicaSet/" + onA + "/commit", Map.of("newImageName", first));
        assertThat(again.status()).as("recommitting the same name takes no more: %s", again).isEqualTo(200);
        assertThat(etcdKeys(KEYS + "quota/images/")).filteredOn(k -> k.contains("/held/")).hasSize(1);
    }

    @Test
    void aTenantNeitherReadsNorSetsAnothersQuotaAndTakesOfOneDoNotCountForAnother() {
        Api erin = tenant("erin", Map.of("gpus", 1));
        Api frank = tenant("frank", Map.of("gpus", 1));
        create(erin, name("erin"), 1, "a");
        create(frank, name("frank"), 1, "a");

        Api.Reply other = erin.get("/tenants/" + tenantName("frank") + "/quota");
        assertThat(other.status()).as(other.toString()).isEqualTo(404);
        assertThat(erin.get("/tenants/nosuchtenant/quota").msg()).isEqualTo("no tenant named 'nosuchtenant'");
        assertThat(other.msg()).isEqualTo("no tenant named '" + tenantName("frank") + "'");
        assertThat(erin.put("/tenants/" + tenantName("erin") + "/quota", Map.of("gpus", 8)).status()).isEqualTo(403);
        assertThat(erin.put("/tenants/" + tenantName("frank") + "/quota", Map.of("gpus", 0)).status()).isEqualTo(403);
        assertThat(erin.delete("/tenants/" + tenantName("erin") + "/quota").status()).isEqualTo(403);
        assertThat(erin.get("/tenants").status()).isEqualTo(403);

        JsonNode own = erin.get("/tenants/" + tenantName("erin") + "/quota").data();
        assertThat(resources(own).path("gpus").path("used").asLong()).isEqualTo(1);
        JsonNode listed = a.get("/tenants").data();
        Map<String, Long> gpusUsed = new TreeMap<>();
        listed.forEach(t -> gpusUsed.put(t.path("name").asString(), resources(t.path("quota")).path("gpus").path("used").asLong()));
        assertThat(gpusUsed).containsEntry(tenantName("erin"), 1L).containsEntry(tenantName("frank"), 1L);
        assertThat(a.get("/whoami").data().path("quota").isObject()).as("the admin has no quota").isFalse();
    }

    // --- helpers

    private final String run = UUID.randomUUID().toString().replace("-", "").substring(0, 6);

    private String tenantName(String base) {
        return base + run;
    }

    /** Issues a token for the tenant and gives it {@code quota}; the client calls node a. */
    private Api tenant(String base, Map<String, Object> quota) {
        String name = tenantName(base);
        Api.Reply issued = a.post("/tokens", Map.of("name", name));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        tenants.add(name);
        quota(base, quota);
        return a.as(issued.data().path("token").asString());
    }

    private void quota(String base, Map<String, Object> quota) {
        Api.Reply set = a.put("/tenants/" + tenantName(base) + "/quota", quota);
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.data().path("defaults").asBoolean()).isFalse();
    }

    private String name(String base) {
        String n = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        replicaSets.add(n);
        return n;
    }

    private String volume(String base) {
        String n = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        volumes.add(n);
        return n;
    }

    private static Map<String, Object> body(String name, int gpus, String node) {
        Map<String, Object> body = new HashMap<>();
        body.put("imageName", IntegrationTestBase.IMAGE);
        body.put("replicaSetName", name);
        body.put("gpuCount", gpus);
        body.put("cmd", IntegrationTestBase.SLEEP);
        body.put("node", node);
        return body;
    }

    private void create(Api via, String name, int gpus, String node) {
        Api.Reply r = via.post("/replicaSet", body(name, gpus, node));
        assertThat(r.status()).as("create %s: %s", name, r).isEqualTo(200);
    }

    /** The quota view's lines by resource. */
    private static JsonNode resources(JsonNode view) {
        var byName = Api.JSON.createObjectNode();
        view.path("resources").forEach(l -> byName.set(l.path("resource").asString(), l));
        return byName;
    }

    private void assertNothingOf(String name) {
        assertThat(a.get("/replicaSet/" + name).status()).isEqualTo(404);
        for (String node : engines.keySet()) {
            assertThat(docker(node, "ps", "-aq", "--filter", "label=io.gpudocker.owner=" + PREFIX, "--filter", "label=io.gpudocker.replicaset=" + name))
                    .as("containers of %s on %s", name, node).isBlank();
        }
        assertThat(etcdKeys(KEYS + "operations/")).as("intents left").isEmpty();
    }

    private boolean running(String node, String replicaSet) {
        return !docker(node, "ps", "-q", "--filter", "label=io.gpudocker.owner=" + PREFIX, "--filter", "label=io.gpudocker.replicaset=" + replicaSet).isBlank();
    }

    private List<String> gpuKeys() {
        return etcdKeys(KEYS + "gpus/");
    }

    private String docker(String node, String... args) {
        return RigShell.docker(engines.get(node), args);
    }

    private List<String> etcdKeys(String prefix) {
        return RigShell.etcdKeys(etcd, prefix);
    }

    /** Everything a previous run may have left under the prefix, in etcd and in both engines. */
    private void wipe() {
        RigShell.wipe(etcd, engines, PREFIX);
    }

}
