package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.config.GdaProperties;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.VolumeEngine;
import io.gpudocker.common.ManagedLabels;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.Txn;
import io.gpudocker.store.KeyValueStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;

/**
 * Runs the whole service on a random port against the real test rig (scripts/test-env.sh: a dedicated
 * dockerd with GPU stand-ins, and etcd) and drives it over HTTP. Each test's replicasets are deleted
 * afterwards, and the test checks that no container and no etcd key of theirs is left.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gda.etcd.prefix=${GDA_IT_PREFIX:/gpu-docker-api-it}",
        "gda.ports.range=${GDA_IT_PORTS:41000-41999}",
        "gda.docker.stop-timeout=1s",
        "gda.docker.exec-timeout=5s",
        "gda.history.keep=3",
        "gda.reconcile.period=3s",
        "gda.auth.admin-token=" + IntegrationTestBase.ADMIN_TOKEN,
        // the tests bind host directories they make under /tmp
        "gda.binds.allowed-roots=/tmp",
        // a free port: tests run beside other services
        "gda.ssh.addr=127.0.0.1:0"
})
public abstract class IntegrationTestBase {
    /** The admin token every test's service is started with; tests that need tenants issue them. */
    public static final String ADMIN_TOKEN = "it-admin-token-0123456789abcdef";
    public static final String IMAGE = System.getenv().getOrDefault("GDA_TEST_IMAGE", "gda-test:latest");
    /** Keeps running until stopped; it has no SIGTERM handler, so a stop kills it at once. */
    public static final List<String> SLEEP = List.of("sleep", "100000");

    @Value("${local.server.port}")
    int port;
    @Autowired
    protected ContainerEngine engine;
    @Autowired
    protected VolumeEngine volumeEngine;
    @Autowired
    protected KeyValueStore store;
    @Autowired
    protected GdaProperties props;

    protected Api api;
    private final List<String> replicaSets = new ArrayList<>();

    @BeforeEach
    void connect() {
        api = new Api("http://127.0.0.1:" + port + "/api/v1", ADMIN_TOKEN);
    }

    @AfterEach
    void deleteAndCheckNothingLeft() {
        deleteReplicaSets();
        for (String name : replicaSets) {
            assertThat(engine.listByLabels(ManagedLabels.replicaSet(props.etcd().prefix(), name))).as("containers of %s", name).isEmpty();
            assertThat(keysNaming(name)).as("etcd keys of %s", name).isEmpty();
        }
        replicaSets.clear();
        forgetUsageHistory();
        // the event history, like the usage history, outlives what it tells of
        store.commit(new Txn().deletePrefix(props.etcd().prefix() + "/apis/v1/events/"));
    }

    /**
     * Usage history outlives what it metered (it is what is billed), so a test removes the history its calls wrote:
     * every closed interval and sum under the test service's prefix. Open intervals belong to records that still exist.
     */
    protected void forgetUsageHistory() {
        String usage = props.etcd().prefix() + "/apis/v1/usage/";
        for (String part : List.of("intervals/", "archive/", "days/", "months/", "tenant-days/", "tenant-totals/", "compaction")) {
            store.commit(new Txn().deletePrefix(usage + part));
        }
    }

    /** Deletes this test's replicasets now (a subclass that must remove volumes after them calls it first). */
    protected void deleteReplicaSets() {
        for (String name : replicaSets) {
            Api.Reply r = api.delete("/replicaSet/" + name);
            assertThat(r.status()).as("delete %s: %s", name, r).isIn(200, 404);
        }
    }

    /** A fresh replicaset name, deleted after the test. */
    protected String name(String base) {
        String n = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        replicaSets.add(n);
        return n;
    }

    protected Map<String, Object> createBody(String name, int gpus, List<String> cmd, List<String> ports) {
        Map<String, Object> body = new HashMap<>();
        body.put("imageName", IMAGE);
        body.put("replicaSetName", name);
        body.put("gpuCount", gpus);
        body.put("cmd", cmd);
        body.put("containerPorts", ports);
        return body;
    }

    protected Api.Reply create(String name, int gpus) {
        Api.Reply r = api.post("/replicaSet", createBody(name, gpus, SLEEP, List.of("22")));
        assertThat(r.status()).as("create %s: %s", name, r).isEqualTo(200);
        return r;
    }

    protected String exec(String name, String script) {
        Api.Reply r = api.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("sh", "-c", script)));
        assertThat(r.status()).as("exec in %s: %s", name, r).isEqualTo(200);
        assertThat(r.data().path("exitCode").asLong()).as("exit code of '%s': %s", script, r).isZero();
        return r.data().path("stdout").asString();
    }

    /** The GPUs the container's main process was given (only PID 1 sees NVIDIA_VISIBLE_DEVICES). */
    protected String visibleDevices(String name) {
        return exec(name, "tr '\\0' '\\n' < /proc/1/environ | grep '^NVIDIA_VISIBLE_DEVICES=' | cut -d= -f2").trim();
    }

    protected List<String> gpusOf(String name) {
        List<String> out = new ArrayList<>();
        api.get("/replicaSet/" + name).data().path("gpus").forEach(n -> out.add(n.asString()));
        return out;
    }

    protected Map<String, String> gpuHolders() {
        Map<String, String> m = new HashMap<>();
        for (JsonNode g : api.get("/resources/gpus").data().path("inventory")) {
            if (!g.path("holder").isNull()) {
                m.put(g.path("uuid").asString(), g.path("holder").asString());
            }
        }
        return m;
    }

    protected Map<Integer, String> portHolders() {
        Map<Integer, String> m = new HashMap<>();
        for (JsonNode p : api.get("/resources/ports").data().path("used")) {
            m.put(p.path("port").asInt(), p.path("holder").asString());
        }
        return m;
    }

    protected List<ContainerSummary> containersOf(String name) {
        return engine.listByLabels(ManagedLabels.replicaSet(props.etcd().prefix(), name));
    }

    protected List<String> keysNaming(String name) {
        List<String> found = new ArrayList<>();
        String usage = props.etcd().prefix() + "/apis/v1/usage/";
        for (KeyValue kv : store.list(props.etcd().prefix() + "/")) {
            // an instance's usage history stays after it is gone: billing reads it; forgetUsageHistory() removes it
            if (kv.key().startsWith(usage) && !kv.key().startsWith(usage + "open/")) {
                continue;
            }
            if (kv.key().endsWith("/" + name) || kv.key().contains("/" + name + "/") || kv.value().equals(name)) {
                found.add(kv.key());
            }
        }
        return found;
    }
}
