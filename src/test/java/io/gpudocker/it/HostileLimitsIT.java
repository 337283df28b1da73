package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.gpudocker.api.ErrorCode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * A tenant trying to get out of the operator's limits, against the real rig, with per-GPU shares configured:
 * asking for no memory limit, unpinned cores or a huge /dev/shm, forcing a resize beside its running instance,
 * piling up running commands and terminals, and spending a terminal ticket from another site's page. Each is
 * refused and changes nothing.
 */
@TestPropertySource(properties = {
        "gda.etcd.prefix=${GDA_IT_PREFIX:/gpu-docker-api-it}-limits",
        "gda.resources.sysfs-root=" + CpuMemoryIT.SYSFS,
        "gda.resources.cpus-per-gpu=1",
        "gda.resources.memory-per-gpu=64MB",
        "gda.resources.memory-total=1GB",
        "gda.sessions.executes-per-tenant=1",
        "gda.sessions.terminals-per-tenant=1"
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class HostileLimitsIT extends IntegrationTestBase {
    private String tenant;
    private Api mallory;

    @BeforeEach
    void issueATenant() {
        tenant = "mallory" + UUID.randomUUID().toString().substring(0, 8);
        Api.Reply issued = api.post("/tokens", Map.of("name", tenant));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        mallory = api.as(issued.data().path("token").asString());
    }

    @AfterEach
    void revokeTheTenant() {
        deleteReplicaSets();
        assertThat(api.delete("/tokens/" + tenant).status()).isEqualTo(200);
    }

    private Map<String, Object> body(String name, String field, Object value) {
        Map<String, Object> body = new HashMap<>(createBody(name, 1, SLEEP, List.of()));
        if (field != null) {
            body.put(field, value);
        }
        return body;
    }

    private void assertRefused(Api.Reply r, String field, String name) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.code()).as(r.toString()).isEqualTo(ErrorCode.ABOVE_TENANT_CEILING.code());
        assertThat(r.body().path("field").asString()).isEqualTo(field);
        assertThat(containersOf(name)).isEmpty();
        assertThat(keysNaming(name)).isEmpty();
    }

    @Test
    void noMemoryLimitUnpinnedCoresOrAHugeShmAreRefusedToATenantAndMakeNothing() {
        String name = name("optout");
        assertRefused(mallory.post("/replicaSet", body(name, "memory", "0")), "memory", name);
        assertRefused(mallory.post("/replicaSet", body(name, "cpuCount", 0)), "cpuCount", name);
        assertRefused(mallory.post("/replicaSet", body(name, "shmSize", "1TB")), "shmSize", name);
        assertRefused(mallory.post("/replicaSet", body(name, "memory", "512MB")), "memory", name);
        // going cardless is no way around the per-GPU shares: one GPU's share at most, and not none
        Map<String, Object> cardless = body(name, "gpuCount", 0);
        assertRefused(mallory.post("/replicaSet", cardless), "cpuCount", name);
        cardless.put("cpuCount", 1);
        assertRefused(mallory.post("/replicaSet", cardless), "memory", name);
        cardless.put("memory", "128MB");
        assertRefused(mallory.post("/replicaSet", cardless), "memory", name);

        // within the share it is created, and a patch cannot opt out afterwards either
        Api.Reply created = mallory.post("/replicaSet", body(name, null, null));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        Api.Reply patched = mallory.patch("/replicaSet/" + name, Map.of("memoryPatch", Map.of("memory", "0")));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(400);
        assertThat(patched.code()).isEqualTo(ErrorCode.ABOVE_TENANT_CEILING.code());
        assertThat(patched.body().path("field").asString()).isEqualTo("memoryPatch.memory");
        assertThat(mallory.get("/replicaSet/" + name).data().path("version").asLong()).as("no new version").isEqualTo(1);

        // the admin is not bound
        String admins = name("adminopt");
        Api.Reply unlimited = api.post("/replicaSet", body(admins, "memory", "0"));
        assertThat(unlimited.status()).as(unlimited.toString()).isEqualTo(200);
    }

    @Test
    void aTenantsForcedResizeIsRefusedAndChangesNothing() {
        String volume = "limvol" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> body = new HashMap<>();
        body.put("name", volume);
        body.put("size", "10MB");
        assertThat(mallory.post("/volumes", body).status()).isEqualTo(200);
        try {
            Api.Reply forced = mallory.patch("/volumes/" + volume + "/size?force=true", Map.of("size", "20MB"));
            assertThat(forced.status()).as(forced.toString()).isEqualTo(403);
            assertThat(forced.code()).isEqualTo(ErrorCode.FORBIDDEN.code());
            assertThat(forced.msg()).contains("only the admin may resize with force=true");
            assertThat(mallory.get("/volumes/" + volume).data().path("size").asString()).isEqualTo("10MB");
        } finally {
            assertThat(api.delete("/volumes/" + volume).status()).isEqualTo(200);
        }
    }

    @Test
    void moreRunningCommandsThanTheCapAreRefused() throws Exception {
        String name = name("execcap");
        assertThat(mallory.post("/replicaSet", body(name, null, null)).status()).isEqualTo(200);
        CompletableFuture<Api.Reply> slow = CompletableFuture.supplyAsync(
                () -> mallory.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("sleep", "3"))));
        Thread.sleep(1000);

        Api.Reply second = mallory.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("true")));

        assertThat(second.status()).as(second.toString()).isEqualTo(429);
        assertThat(second.code()).isEqualTo(ErrorCode.TOO_MANY_SESSIONS.code());
        assertThat(second.msg()).contains("gda.sessions.executes-per-tenant");
        assertThat(slow.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(mallory.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("true"))).status()).as("the slot came back").isEqualTo(200);
    }

    @Test
    void moreTerminalsThanTheCapAreRefusedAndAnotherSitesPageCannotSpendATicket() throws Exception {
        String name = name("termcap");
        assertThat(mallory.post("/replicaSet", body(name, null, null)).status()).isEqualTo(200);
        String ticket = mallory.post("/replicaSet/" + name + "/terminal", Map.of()).data().path("ticket").asString();
        HttpClient http = HttpClient.newHttpClient();
        URI socketUri = URI.create("ws://127.0.0.1:" + port + "/ws/terminal?ticket=" + ticket);

        Throwable foreign = catchThrowable(() -> http.newWebSocketBuilder().header("Origin", "https://elsewhere.example")
                .buildAsync(socketUri, new WebSocket.Listener() {}).get(10, TimeUnit.SECONDS));
        assertThat(foreign).as("another site's page").hasCauseInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) foreign.getCause()).getResponse().statusCode()).isEqualTo(403);
        WebSocket open = http.newWebSocketBuilder().buildAsync(socketUri, new WebSocket.Listener() {}).get(10, TimeUnit.SECONDS);
        try {
            Api.Reply second = mallory.post("/replicaSet/" + name + "/terminal", Map.of());
            assertThat(second.status()).as(second.toString()).isEqualTo(429);
            assertThat(second.code()).isEqualTo(ErrorCode.TOO_MANY_SESSIONS.code());
            assertThat(second.msg()).contains("gda.sessions.terminals-per-tenant");
        } finally {
            open.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        }
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Api.Reply again;
        do {
            Thread.sleep(200);
            again = mallory.post("/replicaSet/" + name + "/terminal", Map.of());
        } while (again.status() != 200 && System.nanoTime() < until);
        assertThat(again.status()).as("the slot came back: %s", again).isEqualTo(200);
    }
}
