package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.util.FileSystemUtils;

/**
 * The event stream on two nodes of one cluster (as {@link ClusterIT} starts them): each node watches the events in
 * etcd, so a stream opened on either node sees the state changes made through the other, in id order; a stream
 * opened with Last-Event-ID (or since) first sends what came after that id; a tenant sees only its own instances'.
 * An instance's metrics read through the node that does not run it are its owner's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventsIT {
    private static final String ADMIN = IntegrationTestBase.ADMIN_TOKEN;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Map<String, String> env = System.getenv();
    private final String prefix = env.getOrDefault("GDA_IT_PREFIX", "/gpu-docker-api-it") + "-events";
    private final String etcd = env.getOrDefault("GDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379");
    private final Map<String, String> engines = Map.of(
            "a", env.getOrDefault("GDA_DOCKER_HOST", "unix:///tmp/gda-test/docker.sock"),
            "b", env.getOrDefault("GDA_NODE2_DOCKER_HOST", "unix:///tmp/gda-test/node2/docker.sock"));
    private final Map<String, ServiceProcess> processes = new HashMap<>();
    private final List<String> replicaSets = new ArrayList<>();
    private final List<String> tokens = new ArrayList<>();
    private Api a;
    private Api b;

    @BeforeAll
    void startBothNodes() throws Exception {
        RigShell.wipe(etcd, engines, prefix);
        FileSystemUtils.deleteRecursively(Path.of("target", "events-it"));
        String[] range = env.getOrDefault("GDA_IT_CLUSTER_PORTS", "47000-47399").split("-");
        int lo = Integer.parseInt(range[0]);
        int mid = lo + (Integer.parseInt(range[1]) - lo + 1) / 2;
        int portA = ServiceProcess.freePort();
        int portB = ServiceProcess.freePort();
        a = new Api("http://127.0.0.1:" + portA + "/api/v1", ADMIN);
        b = new Api("http://127.0.0.1:" + portB + "/api/v1", ADMIN);
        processes.put("a", ServiceProcess.start("events-it-a", prefix, lo + "-" + (mid - 1),
                flags("a", portA, engines.get("a"), env.getOrDefault("GDA_GPU_NVIDIA_SMI", "nvidia-smi"))));
        processes.put("b", ServiceProcess.start("events-it-b", prefix, mid + "-" + range[1],
                flags("b", portB, engines.get("b"), env.getOrDefault("GDA_NODE2_NVIDIA_SMI", "nvidia-smi"))));
        processes.get("a").awaitUp(() -> a.get("/whoami").status() == 200);
        processes.get("b").awaitUp(() -> b.get("/whoami").status() == 200);
    }

    private List<String> flags(String node, int port, String dockerHost, String nvidiaSmi) {
        return ServiceProcess.rigFlags(port, dockerHost, nvidiaSmi, ADMIN,
                "--node-name", node, "--advertise", "http://127.0.0.1:" + port, "--gda.node.lease-ttl=4s", "--gda.reconcile.period=3s",
                "--gda.events.keep-alive=2s", "--gda.telemetry.period=1s", "--gda.state-dir=" + Path.of("target", "events-it", node).toAbsolutePath());
    }

    @AfterEach
    void deleteThisTestsObjects() {
        for (String name : replicaSets) {
            Api.Reply r = a.delete("/replicaSet/" + name);
            assertThat(r.status()).as("delete %s: %s", name, r).isIn(200, 404);
        }
        tokens.forEach(t -> a.delete("/tokens/" + t));
        replicaSets.clear();
        tokens.clear();
    }

    @AfterAll
    void stopBothNodes() throws Exception {
        for (ServiceProcess p : processes.values()) {
            p.close();
        }
        RigShell.wipe(etcd, engines, prefix);
    }

    @Test
    void everyStateChangeArrivesInOrderOnBothNodesAndAStreamResumesAfterTheLastIdItSaw() throws Exception {
        String name = name("evorder");
        Predicate<EventStreamReader.Received> mine = e -> name.equals(e.instance());
        List<String> expected = List.of("created", "paused", "running", "stopped", "restarted", "updated", "rolled-back", "deleted");
        try (EventStreamReader viaA = EventStreamReader.open(a, "/events", null);
             EventStreamReader viaB = EventStreamReader.open(b, "/events", null)) {
            Map<String, Object> body = body(name, 1);
            body.put("node", "a");
            // every change through node b; the instance runs on node a
            assertThat(b.post("/replicaSet", body).status()).isEqualTo(200);
            ok(b.patch("/replicaSet/" + name + "/pause", Map.of()));
            ok(b.patch("/replicaSet/" + name + "/continue", Map.of()));
            ok(b.patch("/replicaSet/" + name + "/stop", Map.of()));
            ok(b.patch("/replicaSet/" + name + "/restart", Map.of()));
            ok(b.patch("/replicaSet/" + name, Map.of("gpuPatch", Map.of("gpuCount", 0))));
            ok(b.patch("/replicaSet/" + name + "/rollback", Map.of("version", 1)));
            ok(b.delete("/replicaSet/" + name));

            for (EventStreamReader stream : List.of(viaA, viaB)) {
                List<EventStreamReader.Received> seen = stream.await(mine, expected.size(), WAIT);
                assertThat(seen.stream().map(EventStreamReader.Received::type).toList()).isEqualTo(expected);
                assertThat(seen.stream().mapToLong(EventStreamReader.Received::id).toArray()).isSorted().doesNotHaveDuplicates();
                assertThat(seen.get(0).data().path("node").asString()).isEqualTo("a");
                assertThat(seen.get(4).data().path("detail").asString()).isEqualTo("restart");
                assertThat(seen.get(6).data().path("detail").asString()).isEqualTo("rollback to 1");
                assertThat(seen.get(3).data().path("state").asString()).isEqualTo("stopped");
            }
            List<EventStreamReader.Received> all = viaB.received(mine);
            long afterPause = all.get(1).id();
            // a client that saw the pause comes back, on the other node, by header and by query
            try (EventStreamReader resumed = EventStreamReader.open(a, "/events", Long.toString(afterPause));
                 EventStreamReader bySince = EventStreamReader.open(b, "/events?since=" + afterPause, null)) {
                for (EventStreamReader r : List.of(resumed, bySince)) {
                    List<EventStreamReader.Received> rest = r.await(mine, expected.size() - 2, WAIT);
                    assertThat(rest).isEqualTo(all.subList(2, all.size()));
                }
            }
        }
    }

    @Test
    void aTenantSeesOnlyItsOwnInstancesEventsAndTheAdminSeesTheNodes() throws Exception {
        String aliceName = tenant("evalice");
        String bobName = tenant("evbob");
        Api alice = a.as(tokenOf.get(aliceName));
        Api bob = a.as(tokenOf.get(bobName));
        String hers = name("evhers");
        String his = name("evhis");
        try (EventStreamReader aliceOnB = EventStreamReader.open(alice.at(b), "/events?since=0", null);
             EventStreamReader bobOnA = EventStreamReader.open(bob, "/events?since=0", null);
             EventStreamReader adminOnB = EventStreamReader.open(b, "/events?since=0", null)) {
            assertThat(alice.post("/replicaSet", body(hers, 0)).status()).isEqualTo(200);
            assertThat(bob.post("/replicaSet", body(his, 0)).status()).isEqualTo(200);
            ok(alice.patch("/replicaSet/" + hers + "/stop", Map.of()));
            ok(bob.patch("/replicaSet/" + his + "/stop", Map.of()));

            assertThat(aliceOnB.await(e -> hers.equals(e.instance()), 2, WAIT)).extracting(EventStreamReader.Received::type)
                    .containsExactly("created", "stopped");
            assertThat(bobOnA.await(e -> his.equals(e.instance()), 2, WAIT)).extracting(EventStreamReader.Received::type)
                    .containsExactly("created", "stopped");
            adminOnB.await(e -> his.equals(e.instance()) && e.type().equals("stopped"), 1, WAIT);
            adminOnB.await(e -> hers.equals(e.instance()) && e.type().equals("stopped"), 1, WAIT);
            // both started with since=0: every event kept, the nodes' own included, was theirs to see or not
            assertThat(adminOnB.received(e -> e.type().equals("node-up")).stream().map(e -> e.data().path("node").asString()))
                    .contains("a", "b");
            assertThat(aliceOnB.received(e -> true)).allSatisfy(e -> assertThat(e.data().path("tenant").asString()).isEqualTo(aliceName));
            assertThat(bobOnA.received(e -> true)).allSatisfy(e -> assertThat(e.data().path("tenant").asString()).isEqualTo(bobName));
        }
    }

    @Test
    void anInstancesMetricsAndTheGpuViewReadThroughTheOtherNodeAreItsOwners() {
        String name = name("evmetrics");
        Map<String, Object> body = body(name, 1);
        body.put("node", "a");
        ok(a.post("/replicaSet", body));
        String gpu = a.get("/replicaSet/" + name).data().path("gpus").get(0).asString();

        // node b has no sampler of its own for a's instance: the call is the owner's, carried there
        org.awaitility.Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Api.Reply viaB = b.get("/replicaSet/" + name + "/metrics?since=1m");
            ok(viaB);
            assertThat(viaB.data().path("name").asString()).isEqualTo(name);
            assertThat(viaB.data().path("latest").path("memoryBytes").asLong()).as(viaB.toString()).isPositive();
            assertThat(viaB.data().path("latest").path("gpus")).hasSize(1);
            assertThat(viaB.data().path("latest").path("gpus").get(0).path("uuid").asString()).isEqualTo(gpu);
        });
        assertThat(b.get("/replicaSet/" + name + "/metrics?since=yesterday").code()).isEqualTo(1111);
        Api.Reply gpus = b.get("/resources/gpus");
        ok(gpus);
        assertThat(gpus.toString()).contains(gpu);
    }

    @Test
    void aLastEventIdThatIsNoIdIsRefused() {
        for (String bad : List.of("abc", "-1")) {
            Api.Reply r = a.get("/events?since=" + bad);
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.code()).isEqualTo(1114);
            assertThat(r.msg()).contains(bad);
        }
        assertThat(a.as(null).get("/events").status()).isEqualTo(401);
    }

    private static void ok(Api.Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private String name(String base) {
        String n = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        replicaSets.add(n);
        return n;
    }

    private final Map<String, String> tokenOf = new HashMap<>();

    /** A new tenant's name; its token in {@code tokenOf}. */
    private String tenant(String base) {
        String t = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api.Reply issued = a.post("/tokens", Map.of("name", t));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        tokens.add(t);
        tokenOf.put(t, issued.data().path("token").asString());
        return t;
    }

    private static Map<String, Object> body(String name, int gpus) {
        Map<String, Object> body = new HashMap<>();
        body.put("imageName", IntegrationTestBase.IMAGE);
        body.put("replicaSetName", name);
        body.put("gpuCount", gpus);
        body.put("cmd", IntegrationTestBase.SLEEP);
        body.put("containerPorts", List.of());
        return body;
    }
}
