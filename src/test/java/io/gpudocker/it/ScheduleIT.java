package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.store.Txn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Schedules on the real rig: a stop and a drop to cardless set 10 s ahead on a service that is then killed fire once a
 * fresh service on the same etcd starts; bad schedules are refused naming the reason, a tenant cannot schedule another's
 * instance, and a schedule goes with its instance.
 */
class ScheduleIT extends IntegrationTestBase {
    private static final String PREFIX = System.getenv().getOrDefault("GDA_IT_PREFIX", "/gpu-docker-api-it") + "-schedule";
    private final List<ServiceProcess> processes = new ArrayList<>();
    private final List<String> tenants = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (ServiceProcess p : processes) {
            p.kill();
        }
        engine.listByLabels(ManagedLabels.owner(PREFIX)).forEach(c -> engine.remove(c.id()));
        store.commit(new Txn().deletePrefix(PREFIX + "/"));
        assertThat(engine.listByLabels(ManagedLabels.owner(PREFIX))).isEmpty();
        for (String t : tenants) {
            assertThat(api.delete("/tokens/" + t).status()).isIn(200, 404);
        }
    }

    @Test
    void aStopAndADropToCardlessSetBeforeTheServiceDiedFireWhenAFreshServiceStarts() throws Exception {
        Api first = launch();
        Map<String, Object> stopBody = createBody("sstop", 1, SLEEP, List.of());
        Map<String, Object> cardBody = createBody("scard", 2, SLEEP, List.of());
        assertThat(first.post("/replicaSet", stopBody).status()).isEqualTo(200);
        assertThat(first.post("/replicaSet", cardBody).status()).isEqualTo(200);
        Api.Reply stop = first.put("/replicaSet/sstop/schedule", Map.of("action", "stop", "after", "10s"));
        assertThat(stop.status()).as(stop.toString()).isEqualTo(200);
        Instant due = Instant.parse(stop.data().path("at").asString());
        Api.Reply card = first.put("/replicaSet/scard/schedule", Map.of("action", "cardless", "at", due.toString()));
        assertThat(card.status()).as(card.toString()).isEqualTo(200);
        assertThat(first.get("/replicaSet/sstop/schedule").data().path("action").asString()).isEqualTo("STOP");
        last().kill();
        assertThat(Instant.now()).as("killed before the schedules fell due").isBefore(due);

        Api second = launch();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(second.get("/replicaSet/sstop").data().path("state").asString()).isEqualTo("stopped");
            Api.Reply cardless = second.get("/replicaSet/scard");
            assertThat(cardless.data().path("version").asLong()).isEqualTo(2);
            assertThat(cardless.data().path("gpuCount").asInt()).isZero();
            assertThat(cardless.data().path("state").asString()).isEqualTo("running");
        });
        assertThat(Instant.now()).isAfter(due);
        assertThat(second.get("/replicaSet/sstop/schedule").code()).isEqualTo(1113);
        assertThat(second.get("/replicaSet/scard/schedule").code()).isEqualTo(1113);
    }

    @Test
    void badSchedulesAreRefusedNamingTheReasonAndNothingIsKept() {
        String job = name("sbad");
        create(job, 0);
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("after", "1h"), Map.of("action", "reboot", "after", "1h"),
                Map.of("action", "stop"), Map.of("action", "stop", "after", "1h", "at", "2099-01-01T00:00:00Z"),
                Map.of("action", "stop", "at", "2001-01-01T00:00:00Z"), Map.of("action", "stop", "after", "-5m"),
                Map.of("action", "stop", "after", "soon"))) {
            Api.Reply r = api.put("/replicaSet/" + job + "/schedule", bad);
            assertThat(r.status()).as("%s: %s", bad, r).isEqualTo(400);
            assertThat(r.code()).isEqualTo(1112);
        }
        assertThat(api.get("/replicaSet/" + job + "/schedule").code()).isEqualTo(1113);
        assertThat(api.delete("/replicaSet/" + job + "/schedule").code()).isEqualTo(1113);
        assertThat(api.put("/replicaSet/nosuch" + job + "/schedule", Map.of("action", "stop", "after", "1h")).code()).isEqualTo(1016);
    }

    @Test
    void aTenantSchedulesItsOwnInstanceOnlyAndTheScheduleGoesWithItsInstance() {
        Api alice = tenant("salice");
        Api bob = tenant("sbob");
        String job = name("sown");
        Map<String, Object> body = new HashMap<>(createBody(job, 0, SLEEP, List.of()));
        assertThat(alice.post("/replicaSet", body).status()).isEqualTo(200);
        assertThat(bob.put("/replicaSet/" + job + "/schedule", Map.of("action", "stop", "after", "1h")).status()).isEqualTo(404);
        Api.Reply set = alice.put("/replicaSet/" + job + "/schedule", Map.of("action", "stop", "after", "1h"));
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.data().path("setBy").asString()).startsWith("salice");
        assertThat(bob.get("/replicaSet/" + job + "/schedule").status()).isEqualTo(404);
        assertThat(bob.delete("/replicaSet/" + job + "/schedule").status()).isEqualTo(404);
        assertThat(alice.get("/replicaSet/" + job + "/schedule").data().path("action").asString()).isEqualTo("STOP");
        assertThat(keysNaming(job)).anyMatch(k -> k.contains("/schedules/"));
        assertThat(alice.delete("/replicaSet/" + job).status()).isEqualTo(200);
        assertThat(keysNaming(job)).as("the schedule went with its instance").isEmpty();
    }

    private Api tenant(String base) {
        String name = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api.Reply issued = api.post("/tokens", Map.of("name", name));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        tenants.add(name);
        return api.as(issued.data().path("token").asString());
    }

    private Api launch() throws Exception {
        int httpPort = ServiceProcess.freePort();
        ServiceProcess p = ServiceProcess.start("schedule-it", PREFIX, ServiceProcess.rigFlags(httpPort, props, ADMIN_TOKEN));
        processes.add(p);
        Api client = new Api("http://127.0.0.1:" + httpPort + "/api/v1", ADMIN_TOKEN);
        p.awaitUp(() -> client.get("/ping").status() == 200);
        return client;
    }

    private ServiceProcess last() {
        return processes.get(processes.size() - 1);
    }
}
