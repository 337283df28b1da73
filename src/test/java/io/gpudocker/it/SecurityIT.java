package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Tokens, roles and tenants over HTTP against the real service: who may call what, and that one tenant can
 * neither see nor touch another's instances and volumes, each refused exactly like a name that does not exist.
 */
class SecurityIT extends IntegrationTestBase {
    private final List<String> tenants = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();

    @AfterEach
    void revokeTokensAndDeleteVolumes() {
        deleteReplicaSets();
        for (String v : volumes) {
            assertThat(api.delete("/volumes/" + v).status()).isIn(200, 404);
        }
        for (String t : tenants) {
            assertThat(api.delete("/tokens/" + t).status()).isIn(200, 404);
        }
        List<String> left = api.get("/tokens").data().findValuesAsString("name");
        tenants.forEach(t -> assertThat(left).as("token of %s revoked", t).doesNotContain(t));
    }

    /** A new tenant's client. */
    private Api tenant(String base) {
        String name = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api.Reply issued = api.post("/tokens", Map.of("name", name));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        assertThat(issued.data().path("role").asString()).isEqualTo("user");
        tenants.add(name);
        return api.as(issued.data().path("token").asString());
    }

    @Test
    void everyApiCallNeedsAKnownTokenWhilePingStaysOpen() {
        Api.Reply none = api.as(null).get("/replicaSet");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.code()).isEqualTo(1060);
        assertThat(none.msg()).contains("Authorization: Bearer");
        Api.Reply unknown = api.as("gda_not-a-token").post("/replicaSet", createBody("nobody", 0, SLEEP, List.of()));
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.msg()).contains("unknown or revoked");
        assertThat(new Api(api.base().replace("/api/v1", "")).get("/ping").status()).isEqualTo(200);
    }

    @Test
    void onlyTheAdminManagesTokensAndARevokedTokenFailsAtOnce() {
        Api alice = tenant("alice");
        Api.Reply denied = alice.post("/tokens", Map.of("name", "mallory"));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.code()).isEqualTo(1061);
        assertThat(alice.get("/tokens").status()).isEqualTo(403);

        JsonNode listed = api.get("/tokens").data();
        assertThat(listed.toString()).doesNotContain("gda_").doesNotContain("sha256");
        String aliceName = tenants.get(0);
        assertThat(listed.findValuesAsString("name")).contains(aliceName);
        assertThat(api.post("/tokens", Map.of("name", aliceName)).code()).as("a name is issued once").isEqualTo(1062);
        assertThat(api.post("/tokens", Map.of("name", "admin")).code()).isEqualTo(1062);
        assertThat(api.post("/tokens", Map.of("name", "a-b")).status()).isEqualTo(400);

        assertThat(alice.get("/replicaSet").status()).isEqualTo(200);
        assertThat(api.delete("/tokens/" + aliceName).status()).isEqualTo(200);
        Api.Reply revoked = alice.get("/replicaSet");
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.code()).isEqualTo(1060);
        assertThat(api.delete("/tokens/" + aliceName).code()).isEqualTo(1063);
    }

    @Test
    void aTenantSeesOnlyItsOwnAndEveryRouteAnswersAnotherTenantsNameAsUnknown() {
        Api alice = tenant("alice");
        Api bob = tenant("bob");
        String vol = "vol" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        volumes.add(vol);
        assertThat(alice.post("/volumes", Map.of("name", vol)).status()).isEqualTo(200);
        String rs = name("owned");
        Map<String, Object> body = createBody(rs, 1, SLEEP, List.of("22"));
        body.put("binds", List.of(Map.of("src", vol + "-1", "dest", "/data")));
        Api.Reply created = alice.post("/replicaSet", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String ghost = name("ghost");

        Map<String, BiFunction<Api, String, Api.Reply>> routes = new java.util.LinkedHashMap<>();
        routes.put("GET info", (c, n) -> c.get("/replicaSet/" + n));
        routes.put("GET history", (c, n) -> c.get("/replicaSet/" + n + "/history"));
        routes.put("GET logs", (c, n) -> c.get("/replicaSet/" + n + "/logs?tail=5"));
        routes.put("PATCH update", (c, n) -> c.patch("/replicaSet/" + n, Map.of()));
        routes.put("PATCH rollback", (c, n) -> c.patch("/replicaSet/" + n + "/rollback", Map.of("version", 1)));
        routes.put("PATCH stop", (c, n) -> c.patch("/replicaSet/" + n + "/stop", null));
        routes.put("PATCH restart", (c, n) -> c.patch("/replicaSet/" + n + "/restart", null));
        routes.put("PATCH pause", (c, n) -> c.patch("/replicaSet/" + n + "/pause", null));
        routes.put("PATCH continue", (c, n) -> c.patch("/replicaSet/" + n + "/continue", null));
        routes.put("POST execute", (c, n) -> c.post("/replicaSet/" + n + "/execute", Map.of("cmd", List.of("true"))));
        routes.put("POST commit", (c, n) -> c.post("/replicaSet/" + n + "/commit", Map.of("newImageName", "stolen:v1")));
        routes.put("DELETE", (c, n) -> c.delete("/replicaSet/" + n));
        routes.forEach((route, call) -> {
            Api.Reply foreign = call.apply(bob, rs);
            Api.Reply missing = call.apply(bob, ghost);
            assertThat(foreign.status()).as("%s on another tenant's replicaset: %s", route, foreign).isEqualTo(404);
            assertThat(foreign.code()).as(route).isEqualTo(missing.code()).isEqualTo(1016);
            assertThat(foreign.msg().replace(rs, "X")).as(route).isEqualTo(missing.msg().replace(ghost, "X"));
        });
        String ghostVol = "ghost" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Map<String, BiFunction<Api, String, Api.Reply>> volumeRoutes = new java.util.LinkedHashMap<>();
        volumeRoutes.put("GET volume", (c, n) -> c.get("/volumes/" + n));
        volumeRoutes.put("GET volume history", (c, n) -> c.get("/volumes/" + n + "/history"));
        volumeRoutes.put("PATCH size", (c, n) -> c.patch("/volumes/" + n + "/size", Map.of("size", "1GB")));
        volumeRoutes.put("DELETE volume", (c, n) -> c.delete("/volumes/" + n));
        volumeRoutes.forEach((route, call) -> {
            Api.Reply foreign = call.apply(bob, vol);
            Api.Reply missing = call.apply(bob, ghostVol);
            assertThat(foreign.status()).as("%s on another tenant's volume: %s", route, foreign).isEqualTo(404);
            assertThat(foreign.code()).as(route).isEqualTo(missing.code()).isEqualTo(1033);
            assertThat(foreign.msg().replace(vol, "X")).as(route).isEqualTo(missing.msg().replace(ghostVol, "X"));
        });

        assertThat(bob.get("/replicaSet").data().findValuesAsString("name")).doesNotContain(rs);
        assertThat(bob.get("/volumes").data().findValuesAsString("name")).doesNotContain(vol);
        assertThat(alice.get("/replicaSet").data().findValuesAsString("name")).containsExactly(rs);
        assertThat(alice.get("/volumes").data().findValuesAsString("name")).containsExactly(vol);
        assertThat(api.get("/replicaSet").data().findValuesAsString("name")).as("the admin sees every tenant's").contains(rs);

        Api.Reply taken = bob.post("/replicaSet", createBody(rs, 0, SLEEP, List.of()));
        assertThat(taken.code()).as("names stay unique on the host").isEqualTo(1008);
        Map<String, Object> theft = createBody(name("thief"), 0, SLEEP, List.of());
        theft.put("binds", List.of(Map.of("src", vol + "-1", "dest", "/data")));
        Api.Reply stolen = bob.post("/replicaSet", theft);
        assertThat(stolen.status()).as("another tenant's volume cannot be bound: %s", stolen).isEqualTo(400);
        assertThat(stolen.code()).isEqualTo(1040);

        Api.Reply info = alice.get("/replicaSet/" + rs);
        assertThat(info.data().path("version").asLong()).as("nothing bob did changed alice's instance").isEqualTo(1);
        assertThat(info.data().path("state").asString()).isEqualTo("running");
        assertThat(alice.get("/volumes/" + vol).data().path("version").asLong()).isEqualTo(1);
    }

    @Test
    void resourceMapsNameOnlyTheCallersHolders() {
        Api alice = tenant("alice");
        Api bob = tenant("bob");
        String rs = name("gpus");
        assertThat(alice.post("/replicaSet", createBody(rs, 2, SLEEP, List.of("22"))).status()).isEqualTo(200);
        List<String> aliceGpus = new ArrayList<>();
        api.get("/replicaSet/" + rs).data().path("gpus").forEach(g -> aliceGpus.add(g.asString()));

        for (JsonNode g : bob.get("/resources/gpus").data().path("inventory")) {
            if (aliceGpus.contains(g.path("uuid").asString())) {
                assertThat(g.path("held").asBoolean()).isTrue();
                assertThat(g.path("holder").isNull()).as("bob does not learn alice's names").isTrue();
            }
        }
        assertThat(bob.get("/resources/ports").data().path("used").findValuesAsString("holder")).doesNotContain(rs);
        assertThat(alice.get("/resources/gpus").data().path("inventory").findValuesAsString("holder")).contains(rs);
        assertThat(alice.get("/resources/ports").data().path("used").findValuesAsString("holder")).contains(rs);
        assertThat(api.get("/resources/gpus").data().path("inventory").findValuesAsString("holder")).contains(rs);
    }

    @Test
    void aCommitCannotReplaceAnImageTheTenantDidNotCommit() {
        Api alice = tenant("alice");
        String rs = name("commit");
        assertThat(alice.post("/replicaSet", createBody(rs, 0, SLEEP, List.of())).status()).isEqualTo(200);
        Api.Reply overBase = alice.post("/replicaSet/" + rs + "/commit", Map.of("newImageName", IMAGE));
        assertThat(overBase.status()).as(overBase.toString()).isEqualTo(409);
        assertThat(overBase.code()).isEqualTo(1066);
        assertThat(engine.imageExists(IMAGE)).isTrue();
    }

    @Test
    void actuatorDetailsAreTheAdminsHealthStatusIsOpen() {
        Api root = new Api(api.base().replace("/api/v1", ""));
        JsonNode anonymous = Api.JSON.readTree(root.text("/actuator/health"));
        assertThat(anonymous.path("status").asString()).isEqualTo("UP");
        assertThat(anonymous.has("components")).as("no details without a token: %s", anonymous).isFalse();
        JsonNode admin = Api.JSON.readTree(root.as(ADMIN_TOKEN).text("/actuator/health"));
        assertThat(admin.path("components").has("etcd")).isTrue();
        assertThat(root.get("/actuator/prometheus").status()).isEqualTo(401);
        Api alice = tenant("alice");
        Api.Reply tenantMetrics = new Api(root.base(), null).as(tokenOf(alice)).get("/actuator/prometheus");
        assertThat(tenantMetrics.status()).isEqualTo(403);
        assertThat(tenantMetrics.code()).isEqualTo(1061);
    }

    private static String tokenOf(Api client) {
        return client.token();
    }
}
