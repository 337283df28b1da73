package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.store.Txn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * CPU cores, memory and shared memory against the real rig. The sysfs fixture (src/test/resources/sysfs-two-nodes)
 * gives two NUMA nodes of one real core each (node 0: cpu 0, node 1: cpu 1) and puts the stand-in GPUs 0-3 on
 * node 0 and 4-7 on node 1, so pinned containers really start on a two-core machine and Docker's own view
 * (HostConfig, and the kernel's Cpus_allowed_list of PID 1) shows which core each got.
 */
@TestPropertySource(properties = {
        "gda.etcd.prefix=/gpu-docker-api-cpu-it",
        "gda.resources.sysfs-root=" + CpuMemoryIT.SYSFS,
        "gda.resources.cpus-per-gpu=1",
        "gda.resources.memory-total=1GB"
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class CpuMemoryIT extends IntegrationTestBase {
    static final String SYSFS = "src/test/resources/sysfs-two-nodes";
    private static final String RESTART_PREFIX = "/gpu-docker-api-cpu-restart-it";
    private static final long MB = 1024L * 1024;

    private final List<ServiceProcess> processes = new ArrayList<>();

    @AfterEach
    void stopChildServicesAndForgetTheirObjects() throws InterruptedException {
        for (ServiceProcess p : processes) {
            p.close();
        }
        engine.listByLabels(ManagedLabels.owner(RESTART_PREFIX)).forEach(c -> engine.remove(c.id()));
        store.commit(new Txn().deletePrefix(RESTART_PREFIX + "/"));
    }

    @Test
    void coresArePinnedExclusiveAndOnTheNodeOfTheGpus() throws Exception {
        String wide = name("wide");
        String local = name("local");
        String cardless = name("cardless");
        // GPUs 0-3 (node 0), explicitly unpinned: keeps node 0's GPUs busy without taking its core
        assertThat(api.post("/replicaSet", body(wide, 4, 0, null, null)).status()).isEqualTo(200);
        // the default share (cpus-per-gpu=1) for GPU 4, which hangs off node 1: core 1, not the lowest free core 0
        assertThat(api.post("/replicaSet", body(local, 1, null, null, null)).status()).isEqualTo(200);
        assertThat(api.get("/replicaSet/" + local).data().path("cpus").asString()).isEqualTo("1");
        assertThat(hostConfig(local + "-1").path("CpusetCpus").asString()).isEqualTo("1");
        assertThat(exec(local, "grep Cpus_allowed_list /proc/1/status")).contains("\t1");
        assertThat(hostConfig(wide + "-1").path("CpusetCpus").asString()).isEmpty();
        // a cardless instance asking for a core gets the one left
        assertThat(api.post("/replicaSet", body(cardless, 0, 1, null, null)).status()).isEqualTo(200);
        assertThat(hostConfig(cardless + "-1").path("CpusetCpus").asString()).isEqualTo("0");
        assertThat(exec(cardless, "grep Cpus_allowed_list /proc/1/status")).contains("\t0");

        JsonNode cpus = api.get("/resources/cpus").data();
        assertThat(cpus.path("total").asInt()).isEqualTo(2);
        assertThat(cpus.path("free").asInt()).isZero();
        assertThat(cpus.path("cpus").path("0").asInt()).isEqualTo(1);
        assertThat(coreHolders(cpus)).isEqualTo(Map.of(0, cardless, 1, local));
        assertThat(cpus.path("nodes").get(1).path("gpus").size()).isEqualTo(4);

        // every core is taken: refused with what is free, and nothing is made
        String late = name("late");
        Api.Reply refused = api.post("/replicaSet", body(late, 0, 1, null, null));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo(ErrorCode.CPU_NOT_ENOUGH.code());
        assertThat(refused.msg()).contains("only 0 more are free").contains("node 0 free: none").contains("node 1 free: none");
        assertThat(containersOf(late)).isEmpty();
        assertThat(keysNaming(late)).isEmpty();

        // a tenant sees that every core is held, but not by whom (the admin sees all, checked above)
        String tenant = "cputenant" + System.nanoTime();
        Api.Reply issued = api.post("/tokens", Map.of("name", tenant));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        try {
            JsonNode seen = api.as(issued.data().path("token").asString()).get("/resources/cpus").data();
            assertThat(seen.path("free").asInt()).isZero();
            assertThat(coreHolders(seen)).isEmpty();
            assertThat(seen.path("cores").get(0).path("held").asBoolean()).isTrue();
        } finally {
            assertThat(api.delete("/tokens/" + tenant).status()).isEqualTo(200);
        }

        // a stopped instance gives its core back
        assertThat(api.patch("/replicaSet/" + local + "/stop", Map.of()).status()).isEqualTo(200);
        assertThat(coreHolders(api.get("/resources/cpus").data())).isEqualTo(Map.of(0, cardless));
        assertThat(api.post("/replicaSet", body(late, 0, 1, null, null)).status()).isEqualTo(200);
        assertThat(hostConfig(late + "-1").path("CpusetCpus").asString()).isEqualTo("1");
    }

    @Test
    void memoryIsAHardLimitWithoutSwapAndShmHasItsSize() throws Exception {
        String name = name("mem");
        Api.Reply r = api.post("/replicaSet", body(name, 0, 0, "64MB", "32MB"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode host = hostConfig(name + "-1");
        assertThat(host.path("Memory").asLong()).isEqualTo(64 * MB);
        assertThat(host.path("MemorySwap").asLong()).isEqualTo(64 * MB);
        assertThat(host.path("ShmSize").asLong()).isEqualTo(32 * MB);
        assertThat(exec(name, "df -k /dev/shm | tail -1")).contains(Long.toString(32 * 1024));
        JsonNode info = api.get("/replicaSet/" + name).data();
        assertThat(info.path("memory").asString()).isEqualTo("64MB");
        assertThat(info.path("shmSize").asString()).isEqualTo("32MB");
        assertThat(info.path("info").path("hostConfig").path("Memory").asLong()).isEqualTo(64 * MB);
        JsonNode pool = api.get("/resources/memory").data();
        assertThat(pool.path("total").asLong()).isEqualTo(1024 * MB);
        assertThat(pool.path("free").asLong()).isEqualTo(960 * MB);
    }

    @Test
    void overAskingMemoryOrShmIsRefusedAndMakesNothing() {
        String name = name("greedy");
        Api.Reply r = api.post("/replicaSet", body(name, 0, 1, "2GB", null));
        assertThat(r.status()).as(r.toString()).isEqualTo(409);
        assertThat(r.code()).isEqualTo(ErrorCode.MEMORY_NOT_ENOUGH.code());
        assertThat(r.msg()).contains("only 1GB is free");
        Api.Reply badUnit = api.post("/replicaSet", body(name, 0, null, "2GiB", null));
        assertThat(badUnit.status()).isEqualTo(400);
        assertThat(badUnit.code()).isEqualTo(ErrorCode.MEMORY_INVALID.code());
        assertThat(badUnit.msg()).startsWith("memory ");
        Api.Reply shmAboveLimit = api.post("/replicaSet", body(name, 0, null, "64MB", "128MB"));
        assertThat(shmAboveLimit.status()).isEqualTo(400);
        assertThat(shmAboveLimit.code()).isEqualTo(ErrorCode.MEMORY_INVALID.code());
        Api.Reply negative = api.post("/replicaSet", body(name, 0, -1, null, null));
        assertThat(negative.code()).isEqualTo(ErrorCode.CPU_COUNT_INVALID.code());
        assertThat(containersOf(name)).isEmpty();
        assertThat(keysNaming(name)).isEmpty();
        assertThat(api.get("/resources/cpus").data().path("free").asInt()).isEqualTo(2);
        assertThat(api.get("/resources/memory").data().path("held").size()).isZero();
    }

    @Test
    void patchingCoresAndMemoryMakesANewVersionWithTheFilesCarried() throws Exception {
        String name = name("grow");
        assertThat(api.post("/replicaSet", body(name, 0, 1, "64MB", null)).status()).isEqualTo(200);
        exec(name, "echo kept > /root/marker");

        Api.Reply r = api.patch("/replicaSet/" + name, Map.of("cpuPatch", Map.of("cpuCount", 2), "memoryPatch", Map.of("memory", "128MB")));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.data().path("containerName").asString()).isEqualTo(name + "-2");
        assertThat(exec(name, "cat /root/marker").trim()).isEqualTo("kept");
        JsonNode host = hostConfig(name + "-2");
        assertThat(host.path("CpusetCpus").asString()).isEqualTo("0-1");
        assertThat(host.path("Memory").asLong()).isEqualTo(128 * MB);
        assertThat(exec(name, "grep Cpus_allowed_list /proc/1/status")).contains("\t0-1");
        JsonNode history = api.get("/replicaSet/" + name + "/history").data().path("history");
        assertThat(history.get(0).path("status").path("cpus").size()).isEqualTo(2);
        assertThat(history.get(1).path("status").path("cpus").size()).isEqualTo(1);

        // more than the host has: refused, the running version untouched
        Api.Reply tooMany = api.patch("/replicaSet/" + name, Map.of("cpuPatch", Map.of("cpuCount", 3)));
        assertThat(tooMany.status()).as(tooMany.toString()).isEqualTo(400);
        assertThat(tooMany.code()).isEqualTo(ErrorCode.CPU_COUNT_INVALID.code());
        Api.Reply tooMuch = api.patch("/replicaSet/" + name, Map.of("memoryPatch", Map.of("memory", "2GB")));
        assertThat(tooMuch.status()).as(tooMuch.toString()).isEqualTo(409);
        assertThat(containersOf(name)).hasSize(2);
        assertThat(api.get("/replicaSet/" + name).data().path("version").asLong()).isEqualTo(2);

        // shrinking keeps the lowest of the cores it had and gives the rest back
        assertThat(api.patch("/replicaSet/" + name, Map.of("cpuPatch", Map.of("cpuCount", 1), "memoryPatch", Map.of("memory", "0"))).status()).isEqualTo(200);
        assertThat(hostConfig(name + "-3").path("CpusetCpus").asString()).isEqualTo("0");
        assertThat(hostConfig(name + "-3").path("Memory").asLong()).isZero();
        assertThat(api.get("/resources/cpus").data().path("free").asInt()).isEqualTo(1);
        assertThat(api.get("/resources/memory").data().path("free").asLong()).isEqualTo(1024 * MB);
        assertThat(exec(name, "cat /root/marker").trim()).isEqualTo("kept");
    }

    @Test
    void aContainerRemovedBehindTheServicesBackGivesItsCoresAndMemoryBack() throws Exception {
        String name = name("gone");
        assertThat(api.post("/replicaSet", body(name, 0, 2, "64MB", null)).status()).isEqualTo(200);
        assertThat(store.list(props.etcd().prefix() + "/apis/v1/cpus/")).hasSize(2);
        engine.remove(name + "-1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (api.get("/resources/cpus").data().path("free").asInt() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(api.get("/resources/cpus").data().path("free").asInt()).as("cores freed by the periodic reconcile").isEqualTo(2);
        assertThat(api.get("/resources/memory").data().path("held").size()).isZero();
        assertThat(api.get("/replicaSet/" + name).data().path("state").asString()).isEqualTo("stopped");
        assertThat(store.list(props.etcd().prefix() + "/apis/v1/cpus/")).isEmpty();
    }

    @Test
    void aRestartedServiceKeepsTheCpuMap() throws Exception {
        Api child = startChild();
        String held = "held" + System.nanoTime();
        Api.Reply r = child.post("/replicaSet", body(held, 4, 1, "64MB", null));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(child.get("/replicaSet/" + held).data().path("cpus").asString()).isEqualTo("0");

        processes.get(processes.size() - 1).kill();
        child = startChild();
        JsonNode cpus = child.get("/resources/cpus").data();
        assertThat(coreHolders(cpus)).isEqualTo(Map.of(0, held));
        assertThat(child.get("/resources/memory").data().path("held").get(0).path("bytes").asLong()).isEqualTo(64 * MB);
        String other = "other" + System.nanoTime();
        Api.Reply refused = child.post("/replicaSet", body(other, 0, 2, null, null));
        assertThat(refused.code()).as(refused.toString()).isEqualTo(ErrorCode.CPU_NOT_ENOUGH.code());

        // etcd wiped: --recover rebuilds the holdings from the version record on the container's labels
        processes.get(processes.size() - 1).close();
        store.commit(new Txn().deletePrefix(RESTART_PREFIX + "/"));
        child = startChild("--recover");
        assertThat(coreHolders(child.get("/resources/cpus").data())).isEqualTo(Map.of(0, held));
        assertThat(child.get("/resources/memory").data().path("held").get(0).path("bytes").asLong()).isEqualTo(64 * MB);
        assertThat(store.get(new io.gpudocker.store.Keys(RESTART_PREFIX, props.node().name()).cpu(0))).isPresent();
        assertThat(child.delete("/replicaSet/" + held).status()).isEqualTo(200);
        assertThat(engine.listByLabels(ManagedLabels.owner(RESTART_PREFIX))).isEmpty();
        assertThat(store.list(RESTART_PREFIX + "/apis/v1/cpus/")).isEmpty();
    }

    private Api startChild(String... extra) throws Exception {
        int port = ServiceProcess.freePort();
        List<String> flags = new ArrayList<>(List.of(
                "-a", "127.0.0.1:" + port,
                "--gda.docker.host=" + props.docker().host(),
                "--gda.gpu.nvidia-smi=" + props.gpu().nvidiaSmi(),
                "--gda.auth.admin-token=" + ADMIN_TOKEN,
                "--gda.resources.sysfs-root=" + SYSFS,
                "--gda.resources.memory-total=1GB"));
        flags.addAll(List.of(extra));
        ServiceProcess p = ServiceProcess.start("cpu-memory-it", RESTART_PREFIX, flags);
        processes.add(p);
        Api child = new Api("http://127.0.0.1:" + port + "/api/v1", ADMIN_TOKEN);
        p.awaitUp(() -> child.get("/ping").status() == 200);
        return child;
    }

    private Map<String, Object> body(String name, int gpus, Integer cpuCount, String memory, String shmSize) {
        Map<String, Object> body = new HashMap<>(createBody(name, gpus, SLEEP, List.of()));
        if (cpuCount != null) {
            body.put("cpuCount", cpuCount);
        }
        if (memory != null) {
            body.put("memory", memory);
        }
        if (shmSize != null) {
            body.put("shmSize", shmSize);
        }
        return body;
    }

    private static Map<Integer, String> coreHolders(JsonNode cpus) {
        Map<Integer, String> holders = new HashMap<>();
        for (JsonNode c : cpus.path("cores")) {
            if (!c.path("holder").isNull()) {
                holders.put(c.path("core").asInt(), c.path("holder").asString());
            }
        }
        return holders;
    }

    /** What Docker itself holds for the container: {@code docker inspect}'s HostConfig. */
    private JsonNode hostConfig(String container) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "-H", props.docker().host(), "inspect", "--format", "{{json .HostConfig}}", container)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("docker inspect %s: %s", container, out).isZero();
        return Api.JSON.readTree(out);
    }
}
