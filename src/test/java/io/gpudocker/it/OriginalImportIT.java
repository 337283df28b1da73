package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerSpec;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.ExecResult;
import io.gpudocker.store.Txn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Moving from the original project: etcd and Docker seeded as the original's last release leaves them (its keys
 * and values under the prefix, containers {@code foo-N} with its env, port bindings and GPU device requests,
 * volumes {@code bar-M} holding data, none with this service's labels), then the real service started as a
 * process, first without and then with {@code --import-original}, and checked through the HTTP API.
 */
class OriginalImportIT extends IntegrationTestBase {
    private static final String PREFIX = "/gpu-docker-api-import-it";
    private static final String ROOT = PREFIX + "/apis/v1/";
    private static final String PORTS = System.getenv().getOrDefault("GDA_IT_CRASH_PORTS", "47000-47999");
    private static final String GPU_A = "GPU-00000000-0000-4000-8000-000000000006";
    private static final String GPU_B = "GPU-00000000-0000-4000-8000-000000000007";
    private static final String ORIGINAL_TIME = "2024-01-23 13:55:51";

    private final List<ServiceProcess> processes = new ArrayList<>();
    private final List<String> seededContainers = new ArrayList<>();
    private final List<String> seededVolumes = new ArrayList<>();
    private Api importApi;
    private String foo;
    private String idle;
    private String bar;
    private int sshPort;

    @BeforeEach
    void names() {
        String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 6);
        foo = "ofoo" + tag;
        idle = "oidle" + tag;
        bar = "obar" + tag;
        sshPort = Integer.parseInt(PORTS.substring(PORTS.indexOf('-') + 1)) - 7;
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (ServiceProcess p : processes) {
            p.kill();
        }
        engine.listByLabels(ManagedLabels.owner(PREFIX)).forEach(c -> engine.remove(c.id()));
        seededContainers.forEach(engine::remove);
        volumeEngine.listVolumesByLabels(ManagedLabels.owner(PREFIX)).forEach(v -> volumeEngine.removeVolume(v.name()));
        seededVolumes.forEach(volumeEngine::removeVolume);
        store.commit(new Txn().deletePrefix(PREFIX + "/"));
        assertThat(engine.listByLabels(ManagedLabels.owner(PREFIX))).isEmpty();
        assertThat(volumeEngine.listVolumesByLabels(ManagedLabels.owner(PREFIX))).isEmpty();
    }

    @Test
    void adoptsTheOriginalsReplicaSetsAndVolumesWithTheirDataGpusAndPorts() throws Exception {
        seedOriginal();

        // until the import, the original's keys stop nothing, and its volume record is refused, not misread
        startService();
        Api.Reply before = importApi.get("/volumes/" + bar);
        assertThat(before.status()).as(before.toString()).isEqualTo(409);
        assertThat(before.code()).isEqualTo(1047);
        assertThat(importApi.get("/replicaSet/" + foo).status()).isEqualTo(404);
        assertThat(engine.inspect(foo + "-3").orElseThrow().running()).as("the original runs untouched").isTrue();
        stopService();

        startService("--import-original");
        JsonNode rs = ok(importApi.get("/replicaSet/" + foo));
        assertThat(rs.path("version").asLong()).isEqualTo(4);
        assertThat(rs.path("containerName").asString()).isEqualTo(foo + "-4");
        assertThat(rs.path("state").asString()).isEqualToIgnoringCase("running");
        assertThat(texts(rs.path("gpus"))).containsExactly(GPU_A, GPU_B);
        assertThat(rs.path("ports").path("22/tcp").asInt()).isEqualTo(sshPort);
        assertThat(rs.path("info").path("hostConfig").path("PortBindings").path("22/tcp").path(0).path("HostPort").asString())
                .isEqualTo(Integer.toString(sshPort));
        assertThat(rs.path("binds").path(0).path("src").asString()).isEqualTo(bar + "-3");
        assertThat(texts(rs.path("env"))).contains("JUPYTER_TOKEN=secret").noneMatch(e -> e.startsWith("CONTAINER_VERSION="));

        // the system disk and the volume's data came along
        assertThat(execOn(foo, "cat /root/sysfile /root/foo-tmp/data.txt")).isEqualTo("on-the-system-disk\non-the-volume\n");
        assertThat(execOn(foo, "echo $CONTAINER_VERSION")).isEqualTo("4\n");

        JsonNode vol = ok(importApi.get("/volumes/" + bar));
        assertThat(vol.path("version").asLong()).isEqualTo(3);
        assertThat(vol.path("dockerName").asString()).isEqualTo(bar + "-3");
        assertThat(vol.path("size").asString()).isEqualTo("20GB");
        assertThat(vol.path("usedBy").toString()).contains(foo + "-4");

        JsonNode stopped = ok(importApi.get("/replicaSet/" + idle));
        assertThat(stopped.path("version").asLong()).isEqualTo(2);
        assertThat(stopped.path("state").asString()).isEqualToIgnoringCase("stopped");
        assertThat(engine.inspect(idle + "-2").orElseThrow().running()).as("what did not run is not started").isFalse();

        assertThat(ok(importApi.get("/resources/gpus")).path("gpus").path(GPU_A).asInt()).isEqualTo(1);
        assertThat(ok(importApi.get("/resources/ports")).path("ports").path("UsedPortSet").has(Integer.toString(sshPort))).isTrue();
        JsonNode history = ok(importApi.get("/replicaSet/" + foo + "/history"));
        assertThat(history.toString()).contains("import of " + foo + "-3");

        // the originals are kept as they were, stopped; their data stays
        assertThat(engine.inspect(foo + "-3").orElseThrow().running()).isFalse();
        assertThat(engine.inspect(idle + "-1")).isPresent();
        assertThat(Files.readString(Path.of(volumeEngine.inspectVolume(bar + "-2").orElseThrow().mountpoint(), "data.txt"))).isEqualTo("on-the-volume\n");
        assertThat(store.get(ROOT + "containers/" + foo)).isPresent();
        assertThat(store.get(ROOT + "imported/volumes/" + bar).orElseThrow().value()).contains("\"from\":\"" + bar + "-2\"");

        // an update after the import works like any other
        Api.Reply patched = importApi.patch("/replicaSet/" + foo, Map.of("gpuPatch", Map.of("gpuCount", 1)));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(execOn(foo, "cat /root/sysfile; echo $CONTAINER_VERSION")).isEqualTo("on-the-system-disk\n5\n");

        // one that did not run starts as any stopped instance does
        Api.Reply restarted = importApi.patch("/replicaSet/" + idle + "/restart", null);
        assertThat(restarted.status()).as(restarted.toString()).isEqualTo(200);
        assertThat(engine.inspect(idle + "-3").orElseThrow().running()).isTrue();

        // running it again adopts nothing twice
        stopService();
        startService("--import-original");
        assertThat(ok(importApi.get("/replicaSet/" + foo)).path("version").asLong()).isEqualTo(5);
        assertThat(ok(importApi.get("/volumes/" + bar)).path("version").asLong()).isEqualTo(3);
        assertThat(engine.listByLabels(ManagedLabels.replicaSet(PREFIX, foo))).extracting(ContainerSummary::name)
                .containsExactlyInAnyOrder(foo + "-4", foo + "-5");
        assertThat(last().output()).contains("nothing to adopt");

        ok(importApi.delete("/replicaSet/" + foo));
        ok(importApi.delete("/replicaSet/" + idle));
        ok(importApi.delete("/volumes/" + bar));
        assertThat(engine.inspect(foo + "-3")).as("deleting the adopted replicaset never removes the original").isPresent();
    }

    @Test
    void refusesWithoutTheOriginalsKeysAndOnANameThatClashes() throws Exception {
        Exit none = runToExit("--import-original");
        assertThat(none.status()).as(none.output()).isEqualTo(3);
        assertThat(none.output()).contains("holds no keys of the original project");
        assertThat(store.get(ROOT + "cluster")).as("a refused import writes nothing, not even a cluster id").isEmpty();

        // a replicaset of this service with the name of one of the original's
        startService();
        Api.Reply created = importApi.post("/replicaSet", createBody(foo, 0, SLEEP, List.of()));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        stopService();
        seedOriginal();
        Exit clash = runToExit("--import-original");
        assertThat(clash.status()).as(clash.output()).isEqualTo(3);
        assertThat(clash.output()).contains("replicaset '" + foo + "' exists in this service already");
        assertThat(engine.inspect(foo + "-3").orElseThrow().running()).as("nothing was changed").isTrue();
        assertThat(store.get(ROOT + "volumes/" + bar).orElseThrow().value()).contains("\"opt\"");
        assertThat(volumeEngine.inspectVolume(bar + "-3")).isEmpty();
    }

    /** As the original's last release leaves a host: a running instance with GPUs, a port and a volume; a stopped one. */
    private void seedOriginal() throws Exception {
        volumeEngine.createVolume(bar + "-2", Map.of(), Map.of());
        seededVolumes.add(bar + "-2");
        Files.writeString(Path.of(volumeEngine.inspectVolume(bar + "-2").orElseThrow().mountpoint(), "data.txt"), "on-the-volume\n");

        List<String> env = List.of("JUPYTER_TOKEN=secret", "CONTAINER_VERSION=3");
        engine.create(new ContainerSpec(foo + "-3", IMAGE, SLEEP, env, List.of(bar + "-2:/root/foo-tmp"), List.of(GPU_A, GPU_B),
                Map.of("22/tcp", sshPort), Map.of()));
        seededContainers.add(foo + "-3");
        engine.start(foo + "-3");
        ExecResult wrote = engine.exec(foo + "-3", "/", List.of("sh", "-c", "echo on-the-system-disk > /root/sysfile"), Duration.ofSeconds(30));
        assertThat(wrote.exitCode()).isZero();
        engine.create(new ContainerSpec(idle + "-1", IMAGE, SLEEP, List.of("CONTAINER_VERSION=1"), List.of(), List.of(), Map.of(), Map.of()));
        seededContainers.add(idle + "-1");

        Map<String, String> keys = new LinkedHashMap<>();
        keys.put(ROOT + "containers/" + foo, originalContainer(foo + "-3", 3, env, bar + "-2:/root/foo-tmp"));
        keys.put(ROOT + "containers/" + idle, originalContainer(idle + "-1", 1, List.of("CONTAINER_VERSION=1"), null));
        keys.put(ROOT + "volumes/" + bar, "{\"version\":2,\"createTime\":\"" + ORIGINAL_TIME + "\",\"opt\":{\"Driver\":\"local\","
                + "\"DriverOpts\":{\"size\":\"20GB\"},\"Labels\":null,\"Name\":\"" + bar + "-2\"}}");
        keys.put(ROOT + "versions/containerVersionMapKey", "{\"" + foo + "\":3,\"" + idle + "\":1}");
        keys.put(ROOT + "versions/volumeVersionMapKey", "{\"" + bar + "\":2}");
        keys.put(ROOT + "gpus/gpuStatusMapKey", "{\"availableGpuNums\":8,\"gpuStatusMap\":{\"" + GPU_A + "\":1,\"" + GPU_B + "\":1}}");
        keys.put(ROOT + "ports/usedPortSetKey", "{\"StartPort\":40000,\"EndPort\":65535,\"AvailableCount\":25536,\"UsedPortSet\":{\"" + sshPort + "\":{}}}");
        keys.put(ROOT + "merges/containerMergeMapKey", "{\"2\":\"/data/merges/" + foo + "/" + foo + "-2\"}");
        Txn seed = new Txn();
        keys.forEach(seed::put);
        assertThat(store.commit(seed)).isTrue();
    }

    /** The original's EtcdContainerInfo: Docker's own Config and HostConfig as it passed them to ContainerCreate. */
    private String originalContainer(String containerName, int version, List<String> env, String bind) {
        boolean gpus = bind != null;
        String envJson = env.stream().map(e -> "\"" + e + "\"").reduce((a, b) -> a + "," + b).orElse("");
        return "{\"version\":" + version + ",\"createTime\":\"" + ORIGINAL_TIME + "\",\"config\":{\"Hostname\":\"\",\"Tty\":true,\"OpenStdin\":true,"
                + "\"ExposedPorts\":" + (gpus ? "{\"22/tcp\":{}}" : "null") + ",\"Env\":[" + envJson + "],\"Cmd\":[\"sleep\",\"100000\"],"
                + "\"Image\":\"" + IMAGE + "\"},\"hostConfig\":{\"Binds\":" + (gpus ? "[\"" + bind + "\"]" : "[]") + ","
                + "\"PortBindings\":" + (gpus ? "{\"22/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"" + sshPort + "\"}]}" : "null") + ","
                + "\"DeviceRequests\":" + (gpus ? "[{\"Driver\":\"nvidia\",\"Count\":0,\"DeviceIDs\":[\"" + GPU_A + "\",\"" + GPU_B
                + "\"],\"Capabilities\":[[\"gpu\"]],\"Options\":null}]" : "null") + "},"
                + "\"networkingConfig\":{\"EndpointsConfig\":null},\"platform\":{\"architecture\":\"\",\"os\":\"\"},"
                + "\"containerName\":\"" + containerName + "\"}";
    }

    private record Exit(int status, String output) {}

    private ServiceProcess launch(String... extra) throws Exception {
        int httpPort = ServiceProcess.freePort();
        List<String> flags = ServiceProcess.rigFlags(httpPort, props, ADMIN_TOKEN, extra);
        ServiceProcess p = ServiceProcess.start("original-import-it", PREFIX, PORTS, flags);
        processes.add(p);
        importApi = new Api("http://127.0.0.1:" + httpPort + "/api/v1", ADMIN_TOKEN);
        return p;
    }

    private void startService(String... extra) throws Exception {
        launch(extra).awaitUp(() -> importApi.get("/ping").status() == 200);
    }

    private Exit runToExit(String... extra) throws Exception {
        ServiceProcess p = launch(extra);
        return new Exit(p.awaitExit(Duration.ofSeconds(120)), p.output());
    }

    private void stopService() throws InterruptedException {
        last().close();
    }

    private ServiceProcess last() {
        return processes.get(processes.size() - 1);
    }

    private String execOn(String name, String script) {
        Api.Reply r = importApi.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("sh", "-c", script)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.data().path("stdout").asString();
    }

    private static JsonNode ok(Api.Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.code()).as(reply.toString()).isEqualTo(200);
        return reply.data();
    }

    private static List<String> texts(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }
}
