package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.api.Caller;
import io.gpudocker.node.ClusterSecret;
import io.gpudocker.node.InterNodeCredential;
import io.gpudocker.store.Keys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * Two nodes on one etcd prefix, as two hosts run them: node a on the rig's Docker engine with 8 stand-in GPUs,
 * node b on the rig's second engine (GDA_NODE2_DOCKER_HOST) with 4 GPUs of other UUIDs, each a service process
 * with the command-line flags an operator gives, disjoint host port ranges (GDA_IT_CLUSTER_PORTS is split in two)
 * and the same admin token. Everything goes over HTTP; what lands where is checked in each engine and in etcd.
 * The node is killed last (SIGKILL), since every earlier test needs both up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final String PREFIX = "/gpu-docker-api-cluster-it";
    private static final String KEYS = PREFIX + "/apis/v1/";
    private static final String ADMIN = IntegrationTestBase.ADMIN_TOKEN;
    private static final String IMAGE = IntegrationTestBase.IMAGE;
    private static final String NODE2_GPU = "GPU-00000000-0000-4000-8000-1";
    private static final Duration LEASE_TTL = Duration.ofSeconds(4);

    private final Map<String, String> env = System.getenv();
    private final String etcd = env.getOrDefault("GDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379");
    private final Map<String, String> engines = Map.of(
            "a", env.getOrDefault("GDA_DOCKER_HOST", "unix:///tmp/gda-test/docker.sock"),
            "b", env.getOrDefault("GDA_NODE2_DOCKER_HOST", "unix:///tmp/gda-test/node2/docker.sock"));
    private final Map<String, ServiceProcess> processes = new HashMap<>();
    private final Map<String, List<String>> flags = new HashMap<>();
    private final Map<String, String> portRanges = new HashMap<>();
    private final Map<String, Integer> httpPorts = new HashMap<>();
    private final List<String> replicaSets = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();
    private final List<String> tokens = new ArrayList<>();
    private final Set<String> committedImages = new HashSet<>();
    private Api a;
    private Api b;

    @BeforeAll
    void startBothNodes() throws Exception {
        wipe();
        FileSystemUtils.deleteRecursively(Path.of("target", "cluster-it"));
        String[] range = env.getOrDefault("GDA_IT_CLUSTER_PORTS", "47000-47399").split("-");
        int lo = Integer.parseInt(range[0]);
        int hi = Integer.parseInt(range[1]);
        int mid = lo + (hi - lo + 1) / 2;
        portRanges.put("a", lo + "-" + (mid - 1));
        portRanges.put("b", mid + "-" + hi);
        int portA = ServiceProcess.freePort();
        int portB = ServiceProcess.freePort();
        httpPorts.put("a", portA);
        httpPorts.put("b", portB);
        flags.put("a", nodeFlags("a", portA, engines.get("a"), env.getOrDefault("GDA_GPU_NVIDIA_SMI", "nvidia-smi")));
        flags.put("b", nodeFlags("b", portB, engines.get("b"), env.getOrDefault("GDA_NODE2_NVIDIA_SMI", "nvidia-smi")));
        a = new Api("http://127.0.0.1:" + portA + "/api/v1", ADMIN);
        b = new Api("http://127.0.0.1:" + portB + "/api/v1", ADMIN);
        start("a");
        start("b");
        processes.get("a").awaitUp(() -> a.get("/whoami").status() == 200);
        processes.get("b").awaitUp(() -> b.get("/whoami").status() == 200);
        awaitTrue(() -> nodeStates(a).equals(Map.of("a", "up", "b", "up")), "both nodes up", Duration.ofSeconds(30));
    }

    private List<String> nodeFlags(String node, int port, String dockerHost, String nvidiaSmi) {
        return ServiceProcess.rigFlags(port, dockerHost, nvidiaSmi, ADMIN,
                "--node-name", node, "--advertise", "http://127.0.0.1:" + port,
                "--gda.node.lease-ttl=" + LEASE_TTL.toSeconds() + "s", "--gda.reconcile.period=3s",
                "--gda.docker.exec-timeout=5s", "--gda.state-dir=" + Path.of("target", "cluster-it", node).toAbsolutePath());
    }

    private void start(String node) throws IOException {
        processes.put(node, ServiceProcess.start("cluster-it-" + node, PREFIX, portRanges.get(node), flags.get(node)));
    }

    @AfterEach
    void deleteThisTestsObjects() {
        Api any = processes.get("b").alive() ? b : a;
        for (String name : replicaSets) {
            Api.Reply r = any.delete("/replicaSet/" + name);
            assertThat(r.status()).as("delete %s: %s", name, r).isIn(200, 404);
        }
        for (String name : volumes) {
            Api.Reply r = any.delete("/volumes/" + name);
            assertThat(r.status()).as("delete volume %s: %s", name, r).isIn(200, 404);
        }
        for (String name : tokens) {
            a.delete("/tokens/" + name);
        }
        for (String name : replicaSets) {
            for (String node : engines.keySet()) {
                assertThat(containersOf(node, name)).as("containers of %s on %s", name, node).isEmpty();
            }
        }
        replicaSets.clear();
        volumes.clear();
        tokens.clear();
    }

    @AfterAll
    void stopBothNodesAndCheckNothingLeft() throws Exception {
        if (processes.containsKey("a") && processes.get("a").alive()) {
            for (JsonNode r : a.get("/replicaSet").data()) {
                a.delete("/replicaSet/" + r.path("name").asString());
            }
            for (JsonNode v : a.get("/volumes").data()) {
                a.delete("/volumes/" + v.path("name").asString());
            }
        }
        for (ServiceProcess p : processes.values()) {
            p.close();
        }
        for (String node : engines.keySet()) {
            for (String image : committedImages) {
                RigShell.run(Map.of("DOCKER_HOST", engines.get(node)), "sh", "-c", "docker image rm -f " + image + " >/dev/null 2>&1 || true");
            }
        }
        // what the deletes left is noted first and removed before any assertion, so a failure leaves no debris either
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
        assertThat(etcdKeys(PREFIX + "/")).isEmpty();
    }

    @Test
    @Order(1)
    void eitherNodeListsBothNodesWithTheirGpus() {
        for (Api via : List.of(a, b)) {
            Map<String, JsonNode> nodes = nodes(via);
            assertThat(nodes.keySet()).containsExactly("a", "b");
            assertThat(nodes.get("a").path("state").asString()).isEqualTo("up");
            assertThat(nodes.get("b").path("state").asString()).isEqualTo("up");
            assertThat(nodes.get("a").path("gpuTotal").asInt()).isEqualTo(8);
            assertThat(nodes.get("b").path("gpuTotal").asInt()).isEqualTo(4);
            assertThat(nodes.get("a").path("gpuFree").asInt()).isEqualTo(8);
            assertThat(nodes.get("b").path("gpuFree").asInt()).isEqualTo(4);
            assertThat(nodes.get("b").path("advertise").asString()).isEqualTo(b.base().replace("/api/v1", ""));
        }
    }

    @Test
    @Order(2)
    void createsLandByThePackingRuleOrOnTheNamedNode() {
        String three = name("pack3");
        assertThat(a.post("/replicaSet", body(three, 3)).status()).isEqualTo(200);
        assertOn(three, "b");

        String named = name("nameda");
        Map<String, Object> onA = body(named, 1);
        onA.put("node", "a");
        assertThat(b.post("/replicaSet", onA).status()).isEqualTo(200);
        assertOn(named, "a");

        String six = name("pack6");
        assertThat(b.post("/replicaSet", body(six, 6)).status()).isEqualTo(200);
        assertOn(six, "a");

        String unknown = name("unknown");
        Map<String, Object> onNowhere = body(unknown, 1);
        onNowhere.put("node", "nosuchnode");
        Api.Reply refused = a.post("/replicaSet", onNowhere);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.code()).isEqualTo(1091);

        // a has 1 free, b has 1 free: 5 fits no node though the cluster holds 12
        String tooBig = name("toobig");
        Api.Reply full = b.post("/replicaSet", body(tooBig, 5));
        assertThat(full.status()).as(full.toString()).isEqualTo(409);
        assertThat(full.code()).isEqualTo(1013);
        for (String nothing : List.of(unknown, tooBig)) {
            assertThat(a.get("/replicaSet/" + nothing).status()).isEqualTo(404);
            assertThat(containersOf("a", nothing)).isEmpty();
            assertThat(containersOf("b", nothing)).isEmpty();
        }
    }

    @Test
    @Order(3)
    void everyInstanceOperationWorksThroughTheNodeThatDoesNotHoldIt() throws Exception {
        String name = name("viaa");
        Map<String, Object> onB = body(name, 1);
        onB.put("node", "b");
        onB.put("cmd", List.of("sh", "-c", "echo hello-from-b; sleep 100000"));
        assertThat(a.post("/replicaSet", onB).status()).isEqualTo(200);
        assertOn(name, "b");

        JsonNode detail = a.get("/replicaSet/" + name).data();
        assertThat(detail.path("state").asString()).isEqualTo("running");
        assertThat(detail.path("containerStatus").asString()).isEqualTo("running");
        assertThat(exec(a, name, "echo carried > /root/f")).isEmpty();

        assertThat(a.patch("/replicaSet/" + name, Map.of("gpuPatch", Map.of("gpuCount", 2))).status()).isEqualTo(200);
        JsonNode patched = a.get("/replicaSet/" + name).data();
        assertThat(patched.path("version").asLong()).isEqualTo(2);
        assertThat(strings(patched.path("gpus"))).hasSize(2).allMatch(g -> g.startsWith(NODE2_GPU));
        assertThat(exec(a, name, "cat /root/f")).isEqualTo("carried\n");

        assertThat(a.patch("/replicaSet/" + name + "/stop", null).status()).isEqualTo(200);
        assertThat(a.get("/replicaSet/" + name).data().path("state").asString()).isEqualTo("stopped");
        assertThat(running("b", name)).isFalse();
        assertThat(a.patch("/replicaSet/" + name + "/restart", null).status()).isEqualTo(200);
        assertThat(a.get("/replicaSet/" + name).data().path("state").asString()).isEqualTo("running");
        assertThat(exec(a, name, "cat /root/f")).isEqualTo("carried\n");
        assertThat(a.patch("/replicaSet/" + name + "/pause", null).status()).isEqualTo(200);
        assertThat(a.get("/replicaSet/" + name).data().path("state").asString()).isEqualTo("paused");
        assertThat(running("b", name)).isFalse();
        assertThat(a.patch("/replicaSet/" + name + "/continue", null).status()).isEqualTo(200);
        assertThat(running("b", name)).isTrue();

        assertThat(a.text("/replicaSet/" + name + "/logs?tail=-1")).contains("hello-from-b");

        String image = "clusterit" + UUID.randomUUID().toString().substring(0, 8) + ":v1";
        committedImages.add(image);
        Api.Reply committed = a.post("/replicaSet/" + name + "/commit", Map.of("newImageName", image));
        assertThat(committed.status()).as(committed.toString()).isEqualTo(200);
        assertThat(docker("b", "image", "ls", "-q", image)).as("image on the owner's engine").isNotBlank();
        assertThat(docker("a", "image", "ls", "-q", image)).as("image on the other engine").isBlank();

        long before = a.get("/replicaSet/" + name).data().path("version").asLong();
        assertThat(a.patch("/replicaSet/" + name + "/rollback", Map.of("version", 1)).status()).isEqualTo(200);
        JsonNode rolledBack = a.get("/replicaSet/" + name).data();
        assertThat(rolledBack.path("version").asLong()).isGreaterThan(before);
        assertThat(rolledBack.path("gpuCount").asInt()).isEqualTo(1);
        assertThat(rolledBack.path("node").asString()).isEqualTo("b");

        Api.Reply ticket = a.post("/replicaSet/" + name + "/terminal", null);
        assertThat(ticket.status()).as(ticket.toString()).isEqualTo(200);
        assertThat(ticket.data().path("ticket").asString()).isNotBlank();
        assertThat(ticket.data().path("path").asString()).startsWith("/ws/terminal?ticket=b~");
        // the browser's socket reaches node a; the shell runs in b's container
        ConsoleApiIT.Output output = new ConsoleApiIT.Output();
        java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(java.net.URI.create("ws://127.0.0.1:" + httpPorts.get("a") + ticket.data().path("path").asString() + "&cols=90&rows=20"), output)
                .get(30, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"input\",\"data\":\"stty size; cat /root/f; echo relayed-$((6*7))\\r\"}", true).get(10, TimeUnit.SECONDS);
        output.await("relayed-42");
        assertThat(output.text()).contains("20 90").contains("carried");
        socket.sendText("{\"type\":\"input\",\"data\":\"exit\\r\"}", true).get(10, TimeUnit.SECONDS);
        assertThat(output.closed.get(30, TimeUnit.SECONDS)).as("the relayed socket closes when the shell ends").isIn(1000, 1006);

        assertThat(a.delete("/replicaSet/" + name).status()).isEqualTo(200);
        assertThat(a.get("/replicaSet/" + name).status()).isEqualTo(404);
        assertThat(b.get("/replicaSet/" + name).status()).isEqualTo(404);
        assertThat(containersOf("b", name)).isEmpty();
    }

    @Test
    @Order(4)
    void listsAndResourcesAggregateBothNodes() throws Exception {
        String onA = createOn(a, "lista", 2, "a");
        String onB = createOn(a, "listb", 1, "b");
        String volA = createVolume(b, "vola", "a");
        String volB = createVolume(a, "volb", "b");

        JsonNode listA = a.get("/replicaSet").data();
        assertThat(listA).isEqualTo(b.get("/replicaSet").data());
        assertThat(nodeByName(listA)).containsEntry(onA, "a").containsEntry(onB, "b");
        JsonNode volumesA = a.get("/volumes").data();
        assertThat(volumesA).isEqualTo(b.get("/volumes").data());
        assertThat(nodeByName(volumesA)).containsEntry(volA, "a").containsEntry(volB, "b");

        JsonNode gpus = withoutTelemetry(a.get("/resources/gpus").data());
        assertThat(gpus).isEqualTo(withoutTelemetry(b.get("/resources/gpus").data()));
        assertThat(gpus.path("total").asInt()).isEqualTo(12);
        assertThat(gpus.path("free").asInt()).isEqualTo(9);
        int onNodeA = 0;
        int onNodeB = 0;
        for (JsonNode g : gpus.path("inventory")) {
            String node = g.path("nodeName").asString();
            assertThat(node).as("node of %s", g).isIn("a", "b");
            assertThat(g.path("uuid").asString().startsWith(NODE2_GPU)).as("%s", g).isEqualTo(node.equals("b"));
            if (node.equals("a")) {
                onNodeA++;
            } else {
                onNodeB++;
            }
        }
        assertThat(onNodeA).isEqualTo(8);
        assertThat(onNodeB).isEqualTo(4);
        // each node republishes its figures within 2 s of a change
        awaitTrue(() -> nodes(b).get("a").path("gpuFree").asInt() == 6 && nodes(b).get("b").path("gpuFree").asInt() == 3,
                "published free GPUs 6 on a and 3 on b", Duration.ofSeconds(10));
    }

    @Test
    @Order(5)
    void anInstanceGoesToItsVolumesNodeAndVolumesOfTwoNodesAreRefused() {
        String volB = createVolume(a, "datab", "b");
        assertThat(a.get("/volumes/" + volB).data().path("node").asString()).isEqualTo("b");
        assertThat(docker("b", "volume", "ls", "-q", "--filter", "label=io.gpudocker.volume=" + volB)).isNotBlank();
        assertThat(docker("a", "volume", "ls", "-q", "--filter", "label=io.gpudocker.volume=" + volB)).isBlank();

        String bound = name("bound");
        Map<String, Object> withVolume = body(bound, 1);
        withVolume.put("binds", List.of(Map.of("src", volB + "-1", "dest", "/root/data")));
        assertThat(a.post("/replicaSet", withVolume).status()).isEqualTo(200);
        assertOn(bound, "b");
        assertThat(exec(a, bound, "echo on-b > /root/data/x && cat /root/data/x")).isEqualTo("on-b\n");

        String volA = createVolume(b, "dataa", "a");
        String mixed = name("mixed");
        Map<String, Object> twoNodes = body(mixed, 1);
        twoNodes.put("binds", List.of(Map.of("src", volA + "-1", "dest", "/root/a"), Map.of("src", volB + "-1", "dest", "/root/b")));
        Api.Reply refused = a.post("/replicaSet", twoNodes);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.code()).isEqualTo(1092);
        assertThat(a.get("/replicaSet/" + mixed).status()).isEqualTo(404);
        assertThat(containersOf("a", mixed)).isEmpty();
        assertThat(containersOf("b", mixed)).isEmpty();
    }

    @Test
    @Order(6)
    void concurrentCreatesThroughBothNodesNeverTakeAGpuTwice() throws Exception {
        // placement starts from published figures: let them show the GPUs the earlier tests gave back
        awaitTrue(() -> nodes(a).get("a").path("gpuFree").asInt() == 8 && nodes(a).get("b").path("gpuFree").asInt() == 4,
                "all 12 GPUs published free", Duration.ofSeconds(10));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<Api.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Api via = i % 2 == 0 ? a : b;
            String name = name("race" + i + "x");
            replies.add(pool.submit(() -> via.post("/replicaSet", body(name, 1))));
        }
        int ok = 0;
        int full = 0;
        for (Future<Api.Reply> f : replies) {
            Api.Reply r = f.get(3, TimeUnit.MINUTES);
            if (r.status() == 200) {
                ok++;
            } else {
                assertThat(r.status()).as(r.toString()).isEqualTo(409);
                assertThat(r.code()).as(r.toString()).isEqualTo(1013);
                full++;
            }
        }
        pool.shutdown();
        assertThat(ok + full).isEqualTo(16);
        assertThat(ok).as("12 GPUs in the cluster").isEqualTo(12);

        Map<String, String> heldByRecords = new TreeMap<>();
        for (JsonNode r : a.get("/replicaSet").data()) {
            for (String uuid : strings(r.path("gpus"))) {
                String previous = heldByRecords.put(uuid, r.path("name").asString());
                assertThat(previous).as("%s held twice", uuid).isNull();
            }
        }
        assertThat(heldByRecords).hasSize(12);
        assertThat(etcdValues(KEYS + "gpus/")).isEqualTo(heldByRecords);
    }

    @Test
    @Order(7)
    void aTenantSeesTheSameWhicheverNodeItCalls() {
        String tenantName = "clustertenant" + UUID.randomUUID().toString().substring(0, 6);
        Api.Reply issued = a.post("/tokens", Map.of("name", tenantName));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        tokens.add(tenantName);
        String token = issued.data().path("token").asString();
        Api tenantA = a.as(token);
        Api tenantB = b.as(token);

        String admins = createOn(a, "admins", 1, "a");
        String own = name("tenants");
        assertThat(tenantB.post("/replicaSet", body(own, 1)).status()).isEqualTo(200);

        JsonNode list = tenantA.get("/replicaSet").data();
        assertThat(list).isEqualTo(tenantB.get("/replicaSet").data());
        assertThat(nodeByName(list).keySet()).containsExactly(own);
        assertThat(tenantA.get("/replicaSet/" + own).data()).isEqualTo(tenantB.get("/replicaSet/" + own).data());
        assertThat(withoutTelemetry(tenantA.get("/resources/gpus").data())).isEqualTo(withoutTelemetry(tenantB.get("/resources/gpus").data()));
        for (Api via : List.of(tenantA, tenantB)) {
            assertThat(via.get("/replicaSet/" + admins).status()).isEqualTo(404);
            assertThat(via.post("/replicaSet/" + admins + "/execute", Map.of("cmd", List.of("true"))).status()).isEqualTo(404);
        }
    }

    /**
     * A read through the node that does not hold the instance answers as the owner does: the same body, tag and security
     * headers, a 304 for the tag, and a token that names nobody (revoked, or none at all) refused where the call arrived.
     */
    @Test
    @Order(7)
    void aReadThroughTheNodeThatDoesNotHoldItAnswersAsTheOwnerDoes() throws Exception {
        String onA = createOn(a, "read", 0, "a");
        Api.Reply issued = a.post("/tokens", Map.of("name", "readtenant" + UUID.randomUUID().toString().substring(0, 6)));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        String revoked = issued.data().path("token").asString();
        assertThat(a.delete("/tokens/" + issued.data().path("name").asString()).status()).isEqualTo(200);

        HttpResponse<String> owner = read("a", onA, ADMIN, null);
        HttpResponse<String> other = read("b", onA, ADMIN, null);

        assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
        assertThat(Api.JSON.readTree(other.body())).isEqualTo(Api.JSON.readTree(owner.body()));
        String tag = owner.headers().firstValue("ETag").orElseThrow();
        assertThat(other.headers().firstValue("ETag")).contains(tag);
        for (String header : List.of("X-Content-Type-Options", "X-Frame-Options", "Cache-Control", "Referrer-Policy")) {
            assertThat(other.headers().firstValue(header)).as(header).isEqualTo(owner.headers().firstValue(header)).isPresent();
        }
        assertThat(read("b", onA, ADMIN, tag).statusCode()).isEqualTo(304);
        assertThat(read("b", onA, revoked, null).statusCode()).isEqualTo(401);
        assertThat(read("b", onA, null, null).statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> read(String node, String name, String token, String ifNoneMatch) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(node) + "/api/v1/replicaSet/" + name));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        if (ifNoneMatch != null) {
            req.header("If-None-Match", ifNoneMatch);
        }
        return HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A path with an escaped letter names the same instance: called on the node that does not hold it, the stop and the
     * delete run on the node that does (never on the one called, which would mark the record while the container runs on).
     */
    @Test
    @Order(8)
    void anEscapedPathRunsOnTheNodeThatHoldsTheInstance() {
        String onA = createOn(b, "escaped", 1, "a");
        String escaped = "%" + Integer.toHexString(onA.charAt(0)).toUpperCase() + onA.substring(1);
        Api.Reply stopped = b.patch("/replicaSet/" + escaped + "/stop", null);
        assertThat(stopped.status()).as(stopped.toString()).isEqualTo(200);
        assertThat(running("a", onA)).as("its container on a stopped").isFalse();
        assertThat(a.get("/replicaSet/" + onA).data().path("state").asString()).isEqualTo("stopped");
        Api.Reply deleted = b.delete("/replicaSet/" + escaped);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(docker("a", "ps", "-a", "--format", "{{.Names}}", "--filter", "label=io.gpudocker.replicaset=" + onA))
                .as("its containers on a removed").isBlank();
        assertThat(etcdValues(KEYS + "replicasets/" + onA)).as("its record gone").isEmpty();
    }

    /**
     * Someone who holds the cluster secret (derived from the admin token) or captured a forwarded call: a forward run once is refused
     * when replayed to its node or sent to the other one, and a call signed for the node that does not hold the
     * instance (skipping the routing a signed call is trusted to have had) changes nothing there.
     */
    @Test
    @Order(8)
    void aCapturedForwardIsNotRunTwiceNorElsewhereAndNoNodeActsOnAnotherNodesInstance() throws Exception {
        String onA = createOn(b, "owned", 1, "a");
        String path = "/api/v1/replicaSet/" + onA;
        Keys keys = new Keys(PREFIX, "b");
        String clusterId = Api.JSON.readTree(etcdValues(KEYS).get("cluster")).path("id").asString();
        assertThat(clusterId).as("the cluster id in etcd").isNotBlank();
        // the nodes derive their secret from the admin token, which the holder of this secret has too
        InterNodeCredential signer = new InterNodeCredential(ClusterSecret.of(ClusterSecret.derive(ADMIN, clusterId)), keys, Clock.systemUTC());

        Map<String, String> captured = signer.sign("GET", path, Caller.ADMIN, "b", "a", new byte[0]);
        Api.Reply first = signedCall("a", "GET", path, captured);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.data().path("name").asString()).isEqualTo(onA);
        Api.Reply again = signedCall("a", "GET", path, captured);
        assertThat(again.status()).as(again.toString()).isEqualTo(401);
        assertThat(again.code()).isEqualTo(1060);
        assertThat(again.msg()).contains("replay");
        Api.Reply elsewhere = signedCall("b", "GET", path, captured);
        assertThat(elsewhere.status()).as(elsewhere.toString()).isEqualTo(401);
        assertThat(elsewhere.msg()).contains("signed for node 'a'");

        Map<String, String> deleteForA = signer.sign("DELETE", path, Caller.ADMIN, "b", "a", new byte[0]);
        Api.Reply misdirected = signedCall("b", "DELETE", path, deleteForA);
        assertThat(misdirected.status()).as(misdirected.toString()).isEqualTo(401);

        Map<String, String> before = etcdValues(KEYS + "replicasets/" + onA);
        for (String[] call : List.of(new String[] {"DELETE", path}, new String[] {"PATCH", path + "/stop"})) {
            Api.Reply bypass = signedCall("b", call[0], call[1], signer.sign(call[0], call[1], Caller.ADMIN, "a", "b", new byte[0]));
            assertThat(bypass.status()).as("%s %s on b: %s", call[0], call[1], bypass).isEqualTo(409);
            assertThat(bypass.code()).isEqualTo(1094);
            assertThat(bypass.msg()).contains("on node 'a'");
        }
        assertThat(etcdValues(KEYS + "replicasets/" + onA)).as("its record untouched").isEqualTo(before);
        assertThat(running("a", onA)).as("its container runs on").isTrue();
        assertThat(a.get("/replicaSet/" + onA).data().path("state").asString()).isEqualTo("running");
        // the nodes talk plain HTTP here: the node that forwarded says so, naming what to set
        assertThat(processes.get("b").output()).contains("node a is reached over plain HTTP").contains("gda.node.trust-store");
    }

    /**
     * The node-only question a history asks (which containers a node keeps of an instance) answers a signed call for a
     * caller who may see the instance, and for another tenant says no more than that there is no such instance.
     */
    @Test
    @Order(8)
    void theContainersAHistoryAsksAnotherNodeForAreNamedOnlyToACallerWhoMaySeeTheInstance() throws Exception {
        String onA = createOn(a, "kept", 0, "a");
        String path = "/api/v1/internal/moves/" + onA + "/containers";
        String clusterId = Api.JSON.readTree(etcdValues(KEYS).get("cluster")).path("id").asString();
        InterNodeCredential signer = new InterNodeCredential(ClusterSecret.of(ClusterSecret.derive(ADMIN, clusterId)), new Keys(PREFIX, "b"),
                Clock.systemUTC());

        Api.Reply intruder = signedCall("a", "POST", path, signer.sign("POST", path, Caller.tenant("intruder"), "b", "a", new byte[0]));
        Api.Reply admin = signedCall("a", "POST", path, signer.sign("POST", path, Caller.ADMIN, "b", "a", new byte[0]));

        assertThat(intruder.status()).as(intruder.toString()).isEqualTo(404);
        assertThat(intruder.toString()).doesNotContain(onA + "-1");
        assertThat(admin.status()).as(admin.toString()).isEqualTo(200);
        assertThat(admin.data().path("names").toString()).contains(onA + "-1");
    }

    /** A call straight to one node's port carrying the given node headers, and no bearer token. */
    private Api.Reply signedCall(String node, String method, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(node) + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(req::header);
        HttpResponse<String> r = HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.ofString());
        return new Api.Reply(r.statusCode(), r.body().isEmpty() ? Api.JSON.createObjectNode() : Api.JSON.readTree(r.body()));
    }

    @Test
    @Order(8)
    void aCallFollowsTheInstanceWhenItsRecordNamesAnotherNode() throws Exception {
        String name = name("moved");
        Map<String, Object> onA = body(name, 0);
        onA.put("node", "a");
        assertThat(b.post("/replicaSet", onA).status()).isEqualTo(200);
        assertOn(name, "a");
        String key = KEYS + "replicasets/" + name;
        String record = etcdValues(key).get("");
        assertThat(record).contains("\"node\":\"a\"");

        // the record now names b, whose engine has no container of it: a call that runs on b says so, one on a would find it running
        RigShell.run(Map.of("ETCDCTL_API", "3"), "etcdctl", "--endpoints", etcd, "put", key, record.replace("\"node\":\"a\"", "\"node\":\"b\""));
        try {
            for (Api via : List.of(a, b)) {
                Api.Reply r = via.get("/replicaSet/" + name);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(r.data().path("node").asString()).isEqualTo("b");
                assertThat(r.data().path("containerStatus").asString()).as("run on b, which has no container of it").isEqualTo("missing");
            }
        } finally {
            RigShell.run(Map.of("ETCDCTL_API", "3"), "etcdctl", "--endpoints", etcd, "put", key, record);
        }
        for (Api via : List.of(b, a)) {
            Api.Reply r = via.get("/replicaSet/" + name);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.data().path("containerStatus").asString()).as("run on a again").isEqualTo("running");
        }
        assertThat(exec(b, name, "echo back on a")).isEqualTo("back on a\n");
    }

    @Test
    @Order(9)
    void aKilledNodesInstancesAnswer503UntilItIsBackAndTheOtherNodeKeepsWorking() throws Exception {
        String onA = createOn(b, "survivor", 1, "a");
        String onB = createOn(a, "victim", 1, "b");
        exec(a, onB, "echo kept > /root/f");

        processes.get("b").kill();
        awaitTrue(() -> "down".equals(nodeStates(a).get("b")), "b shown down", LEASE_TTL.plusSeconds(6));

        Api.Reply get = a.get("/replicaSet/" + onB);
        assertThat(get.status()).as(get.toString()).isEqualTo(503);
        assertThat(get.code()).isEqualTo(1090);
        assertThat(get.msg()).contains("'b'");
        Api.Reply execute = a.post("/replicaSet/" + onB + "/execute", Map.of("cmd", List.of("true")));
        assertThat(execute.status()).isEqualTo(503);
        assertThat(execute.code()).isEqualTo(1090);

        assertThat(exec(a, onA, "echo still > /root/g && cat /root/g")).isEqualTo("still\n");
        assertThat(a.patch("/replicaSet/" + onA, Map.of("gpuPatch", Map.of("gpuCount", 2))).status()).isEqualTo(200);
        assertThat(exec(a, onA, "cat /root/g")).isEqualTo("still\n");
        String whileDown = name("whiledown");
        assertThat(a.post("/replicaSet", body(whileDown, 1)).status()).isEqualTo(200);
        assertOn(whileDown, "a");

        start("b");
        processes.get("b").awaitUp(() -> b.get("/whoami").status() == 200);
        awaitTrue(() -> "up".equals(nodeStates(a).get("b")), "b up again", Duration.ofSeconds(30));
        JsonNode back = a.get("/replicaSet/" + onB).data();
        assertThat(back.path("node").asString()).isEqualTo("b");
        assertThat(back.path("state").asString()).isEqualTo("running");
        assertThat(running("b", onB)).as("its container ran on through the node's death").isTrue();
        assertThat(exec(a, onB, "cat /root/f")).isEqualTo("kept\n");
    }

    // --- helpers

    private String name(String base) {
        String n = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        replicaSets.add(n);
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

    private String createOn(Api via, String base, int gpus, String node) {
        String name = name(base);
        Map<String, Object> body = body(name, gpus);
        body.put("node", node);
        Api.Reply r = via.post("/replicaSet", body);
        assertThat(r.status()).as("create %s: %s", name, r).isEqualTo(200);
        assertOn(name, node);
        return name;
    }

    private String createVolume(Api via, String base, String node) {
        String name = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        volumes.add(name);
        Api.Reply r = via.post("/volumes", Map.of("name", name, "node", node));
        assertThat(r.status()).as("create volume %s: %s", name, r).isEqualTo(200);
        return name;
    }

    /** The detail view through either node names {@code node}, and only that node's engine holds its container. */
    private void assertOn(String name, String node) {
        for (Api via : List.of(a, b)) {
            if (via == b && !processes.get("b").alive()) {
                continue;
            }
            Api.Reply r = via.get("/replicaSet/" + name);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.data().path("node").asString()).as("node of %s", name).isEqualTo(node);
        }
        String other = node.equals("a") ? "b" : "a";
        assertThat(containersOf(node, name)).as("containers of %s on %s", name, node).isNotEmpty();
        assertThat(containersOf(other, name)).as("containers of %s on %s", name, other).isEmpty();
    }

    private String exec(Api via, String name, String script) {
        Api.Reply r = via.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("sh", "-c", script)));
        assertThat(r.status()).as("exec in %s: %s", name, r).isEqualTo(200);
        assertThat(r.data().path("exitCode").asLong()).as("exit code of '%s': %s", script, r).isZero();
        return r.data().path("stdout").asString();
    }

    private static Map<String, JsonNode> nodes(Api via) {
        Api.Reply r = via.get("/nodes");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Map<String, JsonNode> byName = new TreeMap<>();
        r.data().forEach(n -> byName.put(n.path("name").asString(), n));
        return byName;
    }

    private static Map<String, String> nodeStates(Api via) {
        Map<String, String> states = new TreeMap<>();
        nodes(via).forEach((name, n) -> states.put(name, n.path("state").asString()));
        return states;
    }

    private static Map<String, String> nodeByName(JsonNode list) {
        Map<String, String> m = new HashMap<>();
        list.forEach(n -> m.put(n.path("name").asString(), n.path("node").asString()));
        return m;
    }

    private static List<String> strings(Iterable<JsonNode> nodes) {
        List<String> out = new ArrayList<>();
        nodes.forEach(n -> out.add(n.asString()));
        return out;
    }

    private List<String> containersOf(String node, String replicaSet) {
        String out = docker(node, "ps", "-a", "--format", "{{.Names}}",
                "--filter", "label=io.gpudocker.owner=" + PREFIX, "--filter", "label=io.gpudocker.replicaset=" + replicaSet);
        return out.isBlank() ? List.of() : List.of(out.trim().split("\n"));
    }

    /** Whether the current version's container runs in that node's engine. */
    private boolean running(String node, String replicaSet) {
        String out = docker(node, "ps", "--format", "{{.Names}}",
                "--filter", "label=io.gpudocker.owner=" + PREFIX, "--filter", "label=io.gpudocker.replicaset=" + replicaSet);
        return !out.isBlank();
    }

    private String docker(String node, String... args) {
        return RigShell.docker(engines.get(node), args);
    }

    private List<String> etcdKeys(String prefix) {
        return RigShell.etcdKeys(etcd, prefix);
    }

    /** Key (less the prefix) to value, from etcdctl's alternating key and value lines. */
    private Map<String, String> etcdValues(String prefix) {
        List<String> lines = RigShell.run(Map.of("ETCDCTL_API", "3"), "etcdctl", "--endpoints", etcd, "get", "--prefix", prefix).lines().toList();
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            m.put(lines.get(i).substring(prefix.length()), lines.get(i + 1));
        }
        return m;
    }

    /** Everything a previous run may have left under the prefix, in etcd and in both engines. */
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

    /** The GPU view less each GPU's telemetry: a live reading that a sample taken between two calls may move. */
    private static JsonNode withoutTelemetry(JsonNode gpus) {
        gpus.path("inventory").forEach(g -> ((tools.jackson.databind.node.ObjectNode) g).remove("telemetry"));
        return gpus;
    }
}
