package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant against another tenant's images: a commit may hold that tenant's files, so however another tenant names
 * it (name, full id, {@code sha256:} id, short id) it is refused exactly like an image that does not exist, and
 * nothing is created or held; a tenant cannot commit to a name outside its own namespace, where its image could
 * shadow a base image the next caller creates from; the admin may share an image with everyone on purpose.
 */
class HostileImagesIT extends IntegrationTestBase {
    private static final String MISSING = "no-such-image-" + UUID.randomUUID().toString().substring(0, 8) + ":v1";

    private final List<String> tenants = new ArrayList<>();
    private final List<String> images = new ArrayList<>();

    @AfterEach
    void removeImagesAndTokens() throws Exception {
        deleteReplicaSets();
        // the base image stays for the next test: only this test's own names are removed
        assertThat(images).doesNotContain(IMAGE);
        for (String image : images) {
            docker("image", "rm", "-f", image);
            assertThat(engine.imageExists(image)).as("image %s removed", image).isFalse();
        }
        for (String t : tenants) {
            assertThat(api.delete("/tokens/" + t).status()).isIn(200, 404);
        }
        assertThat(store.list(props.etcd().prefix() + "/").stream().filter(kv -> images.stream().anyMatch(kv.value()::contains)))
                .as("no record names this test's images").isEmpty();
    }

    @Test
    void anotherTenantsCommitIsRefusedLikeAnUnknownImageHoweverItIsNamed() {
        Api bob = tenant("bob");
        Api alice = tenant("alice");
        String bobs = bobsSnapshot(bob);
        String id = engine.listImages().stream().filter(i -> i.tags().contains(bobs)).findFirst().orElseThrow().id();
        String hex = id.substring("sha256:".length());
        Api.Reply unknown = alice.post("/replicaSet", createBody(name("ghost"), 0, SLEEP, List.of("22"), MISSING));
        assertThat(unknown.code()).as(unknown.toString()).isEqualTo(1036);

        for (String ref : List.of(bobs, id, hex, hex.substring(0, 12), bobs.replace(":v1", "") + "@" + id)) {
            String rs = name("steal");
            Api.Reply stolen = alice.post("/replicaSet", createBody(rs, 1, SLEEP, List.of("22"), ref));
            if (ref.contains("@")) {
                // a digest reference to a local commit names no pushed manifest: Docker knows no such image either
                assertThat(stolen.status()).as("%s: %s", ref, stolen).isEqualTo(unknown.status());
            } else {
                assertThat(stolen.status()).as("%s: %s", ref, stolen).isEqualTo(unknown.status());
                assertThat(stolen.code()).as("%s: %s", ref, stolen).isEqualTo(unknown.code());
                assertThat(stolen.msg().replace(ref, "X")).as("%s answers as an unknown image", ref).isEqualTo(unknown.msg().replace(MISSING, "X"));
            }
            assertThat(containersOf(rs)).as("no container for %s", ref).isEmpty();
            assertThat(keysNaming(rs)).as("no record for %s", ref).isEmpty();
            assertThat(gpuHolders().values()).doesNotContain(rs);
            assertThat(portHolders().values()).doesNotContain(rs);
        }
        assertThat(alice.get("/images").data().findValuesAsString("id")).as("alice never lists bob's commit").doesNotContain(id);
        assertThat(alice.get("/images").data().findValuesAsString("name")).doesNotContain(bobs);
    }

    @Test
    void aTenantStillRunsAndUpdatesItsOwnCommit() {
        Api bob = tenant("bob");
        String bobs = bobsSnapshot(bob);
        String rs = name("own");
        Api.Reply own = bob.post("/replicaSet", createBody(rs, 0, SLEEP, List.of(), bobs));
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(exec(rs, "cat /bobs-secret").trim()).isEqualTo("bob's");
        Api.Reply restarted = bob.patch("/replicaSet/" + rs + "/restart", Map.of());
        assertThat(restarted.status()).as(restarted.toString()).isEqualTo(200);
        Api.Reply rolledBack = bob.patch("/replicaSet/" + rs + "/rollback", Map.of("version", 1));
        assertThat(rolledBack.status()).as(rolledBack.toString()).isEqualTo(200);
        assertThat(bob.get("/images").data().findValuesAsString("name")).contains(bobs);
    }

    @Test
    void aCommitStaysInTheTenantsNamespace() {
        Api alice = tenant("alice");
        String aliceName = tenants.get(0);
        String rs = name("squat");
        assertThat(alice.post("/replicaSet", createBody(rs, 0, SLEEP, List.of(), IMAGE)).status()).isEqualTo(200);
        String squat = "squat-" + UUID.randomUUID().toString().substring(0, 8) + ":latest";
        for (String name : List.of(squat, IMAGE, "other-tenant/" + squat)) {
            Api.Reply refused = alice.post("/replicaSet/" + rs + "/commit", Map.of("newImageName", name));
            if (!name.equals(IMAGE)) {
                images.add(name);
            }
            assertThat(refused.status()).as("%s: %s", name, refused).isEqualTo(409);
            assertThat(refused.code()).isEqualTo(1066);
            assertThat(refused.msg()).contains(aliceName + "/");
        }
        assertThat(engine.imageExists(squat)).as("nothing committed under a public name").isFalse();
        String own = aliceName + "/snap:v1";
        Api.Reply committed = alice.post("/replicaSet/" + rs + "/commit", Map.of("newImageName", own));
        images.add(own);
        assertThat(committed.status()).as(committed.toString()).isEqualTo(200);
    }

    @Test
    void theAdminSharesAnImageWithEveryone() {
        Api bob = tenant("bob");
        Api alice = tenant("alice");
        String bobs = bobsSnapshot(bob);
        assertThat(alice.post("/images/share", Map.of("image", bobs)).status()).as("only the admin shares").isEqualTo(403);
        assertThat(alice.post("/replicaSet", createBody(name("before"), 0, SLEEP, List.of(), bobs)).code()).isEqualTo(1036);
        Api.Reply shared = api.post("/images/share", Map.of("image", bobs));
        assertThat(shared.status()).as(shared.toString()).isEqualTo(200);
        String rs = name("shared");
        Api.Reply created = alice.post("/replicaSet", createBody(rs, 0, SLEEP, List.of(), bobs));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(alice.get("/images").data().findValuesAsString("name")).contains(bobs);
        deleteReplicaSets();
        String id = engine.listImages().stream().filter(i -> i.tags().contains(bobs)).findFirst().orElseThrow().id();
        Api.Reply unshared = api.delete("/images/share?image=" + id);
        assertThat(unshared.status()).as(unshared.toString()).isEqualTo(200);
        assertThat(alice.post("/replicaSet", createBody(name("after"), 0, SLEEP, List.of(), bobs)).code()).isEqualTo(1036);
    }

    /**
     * A tenant whose quota allows one image commits the same name again and again: each commit moves the tag to a new
     * image, and the one it superseded must not stay on the disk uncounted (a layer of any size per commit).
     */
    @Test
    void recommittingOneNameNeverHoldsMoreImagesThanTheQuota() throws Exception {
        Api alice = tenant("alice");
        String aliceName = tenants.get(0);
        assertThat(api.put("/tenants/" + aliceName + "/quota", Map.of("images", 1)).status()).isEqualTo(200);
        String rs = name("recommit");
        assertThat(alice.post("/replicaSet", createBody(rs, 0, SLEEP, List.of(), IMAGE)).status()).isEqualTo(200);
        String own = aliceName + "/snap:v1";
        images.add(own);
        try {
            for (int i = 0; i < 3; i++) {
                exec(rs, "head -c 65536 /dev/urandom > /fill-" + i);
                Api.Reply committed = alice.post("/replicaSet/" + rs + "/commit", Map.of("newImageName", own));
                assertThat(committed.status()).as(committed.toString()).isEqualTo(200);
            }
            assertThat(imagesOf(aliceName)).as("images of tenant %s on the disk, tagged or superseded", aliceName).hasSize(1);
        } finally {
            for (String id : imagesOf(aliceName)) {
                docker("image", "rm", "-f", id);
            }
            api.delete("/tenants/" + aliceName + "/quota");
        }
    }

    private List<String> imagesOf(String tenant) {
        return engine.listImages().stream().filter(i -> tenant.equals(i.labels().get("io.gpudocker.tenant"))).map(i -> i.id()).toList();
    }

    /** Bob's instance with a file of his, committed under his namespace; the image's name. */
    private String bobsSnapshot(Api bob) {
        String bobName = tenants.get(0);
        String rs = name("bobsrc");
        Api.Reply created = bob.post("/replicaSet", createBody(rs, 0, SLEEP, List.of(), IMAGE));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        exec(rs, "echo \"bob's\" > /bobs-secret");
        String image = bobName + "/snap:v1";
        images.add(image);
        Api.Reply committed = bob.post("/replicaSet/" + rs + "/commit", Map.of("newImageName", image));
        assertThat(committed.status()).as(committed.toString()).isEqualTo(200);
        return image;
    }

    private Map<String, Object> createBody(String name, int gpus, List<String> cmd, List<String> ports, String image) {
        Map<String, Object> body = new HashMap<>(createBody(name, gpus, cmd, ports));
        body.put("imageName", image);
        return body;
    }

    /** A new tenant's client; its name is lower case, as an image repository must be. */
    private Api tenant(String base) {
        String name = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api.Reply issued = api.post("/tokens", Map.of("name", name));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        tenants.add(name);
        return api.as(issued.data().path("token").asString());
    }

    private static void docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        String host = System.getenv("GDA_DOCKER_HOST");
        if (host != null) {
            pb.environment().put("DOCKER_HOST", host);
        }
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
}
