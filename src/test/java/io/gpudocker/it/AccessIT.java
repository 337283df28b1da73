package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SSH gateway and the port proxy with the real clients: Debian's OpenSSH ({@code ssh}, {@code ssh -tt},
 * {@code ssh -L}, {@code sftp}, {@code scp}) and HTTP, against an instance of the busybox test image, which has no sshd.
 */
class AccessIT extends IntegrationTestBase {
    /** Serves /www on 8080 (busybox httpd goes to the background), then sleeps. */
    private static final List<String> WEB = List.of("sh", "-c", "mkdir -p /www && echo hello-from-httpd > /www/index.html && httpd -p 8080 -h /www && exec sleep 100000");

    private final List<String> tenants = new ArrayList<>();
    private final List<Process> background = new ArrayList<>();
    private Path dir;

    @BeforeEach
    void keysDir() throws IOException {
        dir = Files.createTempDirectory("gda-access-it");
    }

    @AfterEach
    void cleanUp() throws IOException {
        background.forEach(Process::destroyForcibly);
        deleteReplicaSets();
        for (String t : tenants) {
            for (var key : api.as(tokenOf.get(t)).get("/keys").data()) {
                api.as(tokenOf.get(t)).delete("/keys/" + key.path("name").asString());
            }
            assertThat(api.delete("/tokens/" + t).status()).isIn(200, 404);
        }
        assertThat(store.list(props.etcd().prefix() + "/apis/v1/ssh-key-fingerprints/")).as("key index left").isEmpty();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private final Map<String, String> tokenOf = new java.util.HashMap<>();

    private Api tenant(String base) {
        String name = base + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api.Reply issued = api.post("/tokens", Map.of("name", name));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        tenants.add(name);
        tokenOf.put(name, issued.data().path("token").asString());
        return api.as(issued.data().path("token").asString());
    }

    /** A new key pair; its public half registered for the client's tenant under {@code name}. */
    private Path key(Api client, String name) throws Exception {
        Path key = dir.resolve(name + "-" + UUID.randomUUID());
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString()), null, 10);
        Api.Reply r = client.post("/keys", Map.of("name", name, "publicKey", Files.readString(Path.of(key + ".pub"))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.data().path("fingerprint").asString()).startsWith("SHA256:");
        return key;
    }

    private int sshPort() {
        return api.get("/whoami").data().path("ssh").path("port").asInt();
    }

    private List<String> ssh(Path key, String user, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-F", "/dev/null", "-i", key.toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-p", String.valueOf(sshPort()), user + "@127.0.0.1"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private record Result(int exit, String out, String err) {}

    private Result run(List<String> cmd, String input, int seconds) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (input == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        if (input != null) {
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
        }
        boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        Result r = new Result(done ? p.exitValue() : -999, Files.readString(out), Files.readString(err));
        assertThat(done).as("%s did not end within %ss: %s", cmd, seconds, r).isTrue();
        return r;
    }

    private String instance(Api owner, String base) {
        String name = name(base);
        Api.Reply r = owner.post("/replicaSet", createBody(name, 0, WEB, List.of()));
        assertThat(r.status()).as("create %s: %s", name, r).isEqualTo(200);
        return name;
    }

    @Test
    void aRegisteredKeyRunsCommandsWithTheirExitStatusAndItsInputEnds() throws Exception {
        Api alice = tenant("alice");
        Path key = key(alice, "laptop");
        String foo = instance(alice, "foo");

        Result r = run(ssh(key, foo, "echo out; echo err >&2; exit 3"), null, 30);
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).isEqualTo("err\n");

        // the client's end of input reaches the process: cat ends, and what it wrote is whole
        Result piped = run(ssh(key, foo, "cat > /tmp/in && wc -c < /tmp/in"), "x".repeat(100_000), 30);
        assertThat(piped.exit()).as(piped.toString()).isZero();
        assertThat(piped.out().trim()).isEqualTo("100000");

        String user = alice.get("/whoami").data().path("name").asString();
        Result named = run(ssh(key, user + "+" + foo, "hostname"), null, 30);
        assertThat(named.exit()).as("tenant+instance: %s", named).isZero();
    }

    @Test
    void aTerminalSessionRunsTheShellAndEndsWithItsStatus() throws Exception {
        Api alice = tenant("alice");
        Path key = key(alice, "laptop");
        String foo = instance(alice, "foo");

        Result r = run(ssh(key, foo, "-tt"), "echo tty-$((6*7)); [ -t 0 ] && echo is-a-terminal; exit 5\n", 30);
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        assertThat(r.out()).contains("tty-42").contains("is-a-terminal");
    }

    @Test
    void localForwardingReachesTheInstancesPortAndNothingElse() throws Exception {
        Api alice = tenant("alice");
        Path key = key(alice, "laptop");
        String foo = instance(alice, "foo");
        int local = ServiceProcess.freePort();
        List<String> cmd = ssh(key, foo, "-N", "-o", "ExitOnForwardFailure=yes", "-L", "127.0.0.1:" + local + ":localhost:8080");
        Process tunnel = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        background.add(tunnel);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String body = null;
        for (int i = 0; i < 50 && body == null; i++) {
            try {
                body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        assertThat(body).isEqualTo("hello-from-httpd\n");

        // anywhere but the instance: the gateway's host (its etcd) is refused
        int other = ServiceProcess.freePort();
        String etcdPort = System.getenv().getOrDefault("GDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379").replaceAll(".*:", "");
        Process refused = new ProcessBuilder(ssh(key, foo, "-N", "-o", "ExitOnForwardFailure=yes", "-L", "127.0.0.1:" + other + ":10.0.0.1:" + etcdPort))
                .redirectErrorStream(true).start();
        background.add(refused);
        Thread.sleep(1500);
        try {
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other + "/version")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            throw new AssertionError("a forward to another host was carried");
        } catch (IOException expected) {
            // the channel was refused: the connection closes without an answer
        }
    }

    @Test
    void anotherTenantsKeyAndARemovedKeyAreRefused() throws Exception {
        Api alice = tenant("alice");
        Api bob = tenant("bob");
        Path aliceKey = key(alice, "laptop");
        Path bobKey = key(bob, "laptop");
        String foo = instance(alice, "foo");
        String bobName = bob.get("/whoami").data().path("name").asString();

        assertThat(run(ssh(bobKey, foo, "true"), null, 30).exit()).as("bob's key on alice's instance").isEqualTo(255);
        assertThat(run(ssh(bobKey, bobName + "+" + foo, "true"), null, 30).exit()).as("bob's key naming bob").isEqualTo(255);
        assertThat(run(ssh(aliceKey, bobName + "+" + foo, "true"), null, 30).exit()).as("alice's key naming bob").isEqualTo(255);
        assertThat(run(ssh(aliceKey, "nosuch" + foo, "true"), null, 30).exit()).as("no such instance").isEqualTo(255);
        // the same key cannot be registered by another tenant
        Api.Reply again = bob.post("/keys", Map.of("name", "stolen", "publicKey", Files.readString(Path.of(aliceKey + ".pub"))));
        assertThat(again.code()).as(again.toString()).isEqualTo(1121);
        assertThat(bob.post("/keys", Map.of("name", "junk", "publicKey", "ssh-ed25519 not-base64")).code()).isEqualTo(1120);

        assertThat(run(ssh(aliceKey, foo, "true"), null, 30).exit()).isZero();
        assertThat(alice.delete("/keys/laptop").status()).isEqualTo(200);
        assertThat(run(ssh(aliceKey, foo, "true"), null, 30).exit()).as("removed key").isEqualTo(255);
        assertThat(alice.delete("/keys/laptop").code()).isEqualTo(1122);
    }

    @Test
    void aStoppedInstanceSaysSoAndTheHostKeyIsShown() throws Exception {
        Api alice = tenant("alice");
        Path key = key(alice, "laptop");
        String foo = instance(alice, "foo");
        assertThat(alice.patch("/replicaSet/" + foo + "/stop", null).status()).isEqualTo(200);

        Result r = run(ssh(key, foo, "true"), null, 30);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("instance '" + foo + "' is stopped").contains("restart");

        String fingerprint = alice.get("/whoami").data().path("ssh").path("hostKeyFingerprint").asString();
        Result scan = run(List.of("sh", "-c", "ssh-keyscan -p " + sshPort() + " 127.0.0.1 2>/dev/null | ssh-keygen -lf -"), null, 30);
        assertThat(scan.out()).contains(fingerprint);
    }

    @Test
    void theProxyPassesHttpToTheInstanceForItsOwnerOnly() throws Exception {
        Api alice = tenant("alice");
        Api bob = tenant("bob");
        String foo = instance(alice, "foo");
        exec(foo, "head -c 3000000 /dev/zero | tr '\\0' x > /www/big.txt");
        String root = api.base().replace("/api/v1", "");
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(root + "/proxy/" + foo + "/8080/index.html"))
                .header("Authorization", "Bearer " + alice.token()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).isEqualTo("hello-from-httpd\n");

        // through curl, a large body streams whole
        Result curl = run(List.of("sh", "-c", "curl -sS -H 'Authorization: Bearer " + alice.token() + "' " + root + "/proxy/" + foo + "/8080/big.txt | wc -c"), null, 60);
        assertThat(curl.out().trim()).isEqualTo("3000000");

        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(root + "/proxy/" + foo + "/8080/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        HttpResponse<String> others = http.send(HttpRequest.newBuilder(URI.create(root + "/proxy/" + foo + "/8080/"))
                .header("Authorization", "Bearer " + bob.token()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(others.statusCode()).as(others.body()).isEqualTo(404);
        HttpResponse<String> closed = http.send(HttpRequest.newBuilder(URI.create(root + "/proxy/" + foo + "/8081/"))
                .header("Authorization", "Bearer " + alice.token()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(closed.statusCode()).as(closed.body()).isEqualTo(502);
        assertThat(closed.body()).contains("1123");

        // the console's cookie: for this instance only
        HttpResponse<String> session = http.send(HttpRequest.newBuilder(URI.create(root + "/api/v1/proxy/" + foo + "/session"))
                .header("Authorization", "Bearer " + alice.token()).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        String setCookie = session.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("Path=/proxy/" + foo + "/").contains("HttpOnly").contains("SameSite=Strict");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        HttpResponse<String> byCookie = http.send(HttpRequest.newBuilder(URI.create(root + "/proxy/" + foo + "/8080/index.html"))
                .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(byCookie.statusCode()).isEqualTo(200);
        String bar = instance(alice, "bar");
        HttpResponse<String> elsewhere = http.send(HttpRequest.newBuilder(URI.create(root + "/proxy/" + bar + "/8080/index.html"))
                .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(elsewhere.statusCode()).as("a cookie for one instance opens no other").isEqualTo(401);

        String metrics = new Api(root, ADMIN_TOKEN).text("/actuator/prometheus");
        String tenantName = alice.get("/whoami").data().path("name").asString();
        assertThat(metrics).contains("gda_access_bytes_total{tenant=\"" + tenantName + "\",via=\"proxy\"}");
    }

    /** sftp and scp options: the same key and host checks as {@link #ssh}. */
    private List<String> sftpOptions(String tool, Path key) {
        return new ArrayList<>(List.of(tool, "-F", "/dev/null", "-i", key.toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-P", String.valueOf(sshPort())));
    }

    @Test
    void sftpAndScpPutAndGetFilesWithoutAnythingInTheImageButItsTools() throws Exception {
        Api alice = tenant("alice");
        Path key = key(alice, "laptop");
        String foo = instance(alice, "foo");
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(7).nextBytes(data);
        Path local = dir.resolve("data.bin");
        Files.write(local, data);

        Path batch = dir.resolve("batch");
        Files.writeString(batch, "mkdir /tmp/up\ncd /tmp/up\nput " + local + " data.bin\nls -l\nget data.bin " + dir.resolve("back.bin") + "\nrename data.bin moved.bin\n"
                + "rm moved.bin\nrmdir /tmp/up\n");
        List<String> sftp = sftpOptions("sftp", key);
        sftp.addAll(List.of("-b", batch.toString(), foo + "@127.0.0.1"));
        Result r = run(sftp, null, 120);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("data.bin");
        assertThat(Files.readAllBytes(dir.resolve("back.bin"))).isEqualTo(data);
        assertThat(exec(foo, "[ -e /tmp/up ] && echo left || echo gone").trim()).isEqualTo("gone");

        // scp of OpenSSH 9 speaks SFTP: the same subsystem
        List<String> up = sftpOptions("scp", key);
        up.addAll(List.of(local.toString(), foo + "@127.0.0.1:/tmp/scp.bin"));
        Result put = run(up, null, 120);
        assertThat(put.exit()).as(put.toString()).isZero();
        assertThat(exec(foo, "wc -c < /tmp/scp.bin").trim()).isEqualTo(String.valueOf(data.length));
        List<String> down = sftpOptions("scp", key);
        down.addAll(List.of(foo + "@127.0.0.1:/tmp/scp.bin", dir.resolve("scp-back.bin").toString()));
        Result get = run(down, null, 120);
        assertThat(get.exit()).as(get.toString()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("scp-back.bin"))).isEqualTo(data);

        List<String> missing = sftpOptions("scp", key);
        missing.addAll(List.of(foo + "@127.0.0.1:/no/such/file", dir.resolve("none").toString()));
        Result none = run(missing, null, 60);
        assertThat(none.exit()).isNotZero();
        assertThat(none.err()).containsIgnoringCase("no such file");
    }
}
