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

    /**
     * A WebSocket server's handshake in shell (the accept key computed with the image's sha1sum, xxd and base64), then
     * on {@code /echo} the bytes echoed raw both ways, on any other path one text frame "hello" sent and what the
     * client sends kept in /tmp/ws-in; served on 9000 by busybox nc, one shell per connection.
     */
    private static final String WS_SERVER = """
#!/bin/sh
# a WebSocket server's handshake, then /echo echoes raw bytes, any other path sends one text frame and keeps what comes
key=
read -r method path proto
while IFS= read -r line; do
  line=$(printf '%s' "$line" | tr -d '\\r')
  [ -z "$line" ] && break
  name=$(printf '%s' "${line%%:*}" | tr A-Z a-z)
  [ "$name" = sec-websocket-key ] && key=$(printf '%s' "${line#*:}" | tr -d ' ')
done
accept=$(printf '%s' "${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11" | sha1sum | cut -c1-40 | xxd -r -p | base64)
printf 'HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: %s\\r\\n\\r\\n' "$accept"
case "$path" in
  /echo*) exec cat ;;
  *) printf '\\201\\005hello'; exec cat > /tmp/ws-in ;;
esac
""";
    static final List<String> WEB_AND_WS = List.of("sh", "-c", "echo " + java.util.Base64.getEncoder().encodeToString(WS_SERVER.getBytes(StandardCharsets.UTF_8))
            + " | base64 -d > /ws.sh && chmod +x /ws.sh && (nc -ll -p 9000 -e /ws.sh &) && mkdir -p /www && echo hello-from-httpd > /www/index.html"
            + " && httpd -p 8080 -h /www && exec sleep 100000");

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
        return instance(owner, base, WEB);
    }

    private String instance(Api owner, String base, List<String> cmd) {
        String name = name(base);
        Api.Reply r = owner.post("/replicaSet", createBody(name, 0, cmd, List.of()));
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

    /**
     * An SFTP session holds the container it opened on, not its name: once the instance is deleted and another tenant
     * makes one of the same name (its container the same name too), the session kept open reaches nothing of it.
     */
    @Test
    void anOpenSessionNeverReachesAnotherTenantsInstanceMadeUnderTheSameName() throws Exception {
        Api alice = tenant("alice");
        Api bob = tenant("bob");
        Path key = key(alice, "laptop");
        String foo = instance(alice, "foo");
        List<String> cmd = sftpOptions("sftp", key);
        cmd.addAll(List.of("-b", "-", foo + "@127.0.0.1"));
        Process session = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("session.txt").toFile()).start();
        try {
            java.io.Writer commands = new java.io.OutputStreamWriter(session.getOutputStream(), StandardCharsets.UTF_8);
            commands.write("pwd\n");
            commands.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(dir.resolve("session.txt")).contains("Remote working directory") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(dir.resolve("session.txt"))).as("the session is open").contains("Remote working directory");

            assertThat(alice.delete("/replicaSet/" + foo).status()).isEqualTo(200);
            Api.Reply made = bob.post("/replicaSet", createBody(foo, 0, WEB, List.of()));
            assertThat(made.status()).as(made.toString()).isEqualTo(200);
            assertThat(bob.get("/replicaSet/" + foo).data().path("containerName").asString()).as("the same container name as alice's").isEqualTo(foo + "-1");
            exec(foo, "echo bob > /root/bob-secret");

            Path stolen = dir.resolve("stolen");
            // a leading '-': the batch goes on after a failure, so the put is tried too
            commands.write("-get /root/bob-secret " + stolen + "\n-put " + dir.resolve("session.txt") + " /root/from-alice\nbye\n");
            commands.close();
            assertThat(session.waitFor(60, TimeUnit.SECONDS)).as("the session ended").isTrue();
            assertThat(stolen).as("bob's file, fetched through alice's old session").doesNotExist();
            assertThat(exec(foo, "[ -e /root/from-alice ] && echo written || echo absent").trim()).as("alice's file in bob's instance").isEqualTo("absent");
        } finally {
            session.destroyForcibly();
        }
    }

    /**
     * The tools SFTP runs are the tenant's: an image whose {@code stat} prints without end makes a listing and a stat
     * fail, with the service's memory untouched (it keeps at most 16 MiB of a tool's output); the session goes on.
     */
    @Test
    void aToolThatPrintsWithoutEndFailsItsRequestAndNothingElse() throws Exception {
        Api alice = tenant("alice");
        Path key = key(alice, "laptop");
        String foo = instance(alice, "foo");
        exec(foo, "rm /bin/stat && printf '#!/bin/sh\\nexec yes\\n' > /bin/stat && chmod 755 /bin/stat");
        Path batch = dir.resolve("endless");
        // a leading '-': sftp goes on after that command fails
        Files.writeString(batch, "-ls -l /\n-ls -l /etc/hostname\nmkdir /tmp/still\n");
        List<String> sftp = sftpOptions("sftp", key);
        sftp.addAll(List.of("-b", batch.toString(), foo + "@127.0.0.1"));
        Result r = run(sftp, null, 90);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).as("the two listings failed").isNotBlank();
        assertThat(exec(foo, "[ -d /tmp/still ] && echo made || echo missing").trim()).as("the session went on").isEqualTo("made");
        assertThat(alice.get("/whoami").status()).isEqualTo(200);
    }

    @Test
    void aWebSocketThroughTheProxyCarriesBytesBothWaysAsTheyCome() throws Exception {
        Api alice = tenant("alice");
        Api bob = tenant("bob");
        String foo = instance(alice, "foo", WEB_AND_WS);
        URI root = URI.create(api.base());
        waitForPort(foo, 9000);

        // a raw upgrade: the 101 as the app gave it, then the same connection echoes what is written, piece by piece
        try (java.net.Socket s = new java.net.Socket(root.getHost(), root.getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET /proxy/" + foo + "/9000/echo HTTP/1.1\r\nHost: " + root.getAuthority() + "\r\nAuthorization: Bearer " + alice.token()
                    + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            java.io.InputStream in = s.getInputStream();
            String head = headOf(in);
            assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("upgrade: websocket").contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            for (String word : List.of("one", "two", "three")) {
                // each answer comes back before the next is sent: nothing waits for more bytes or for the end
                s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                assertThat(new String(in.readNBytes(word.length()), StandardCharsets.US_ASCII)).isEqualTo(word);
            }
            byte[] bulk = new byte[2 * 1024 * 1024];
            new java.util.Random(3).nextBytes(bulk);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(bulk);
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            assertThat(in.readNBytes(bulk.length)).isEqualTo(bulk);
            writer.join(10_000);
        }

        // the Java WebSocket client: the app's frame arrives, the client's frame reaches the app
        java.util.concurrent.CompletableFuture<String> got = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + alice.token())
                .buildAsync(URI.create("ws://" + root.getAuthority() + "/proxy/" + foo + "/9000/hello"), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                        got.complete(data.toString());
                        return null;
                    }
                }).get(20, TimeUnit.SECONDS);
        assertThat(got.get(20, TimeUnit.SECONDS)).isEqualTo("hello");
        ws.sendText("ping!", true).get(10, TimeUnit.SECONDS);
        byte[] frame = new byte[0];
        for (int i = 0; i < 50 && frame.length < 11; i++) {
            frame = java.util.HexFormat.of().parseHex(exec(foo, "xxd -p /tmp/ws-in 2>/dev/null | tr -d '\\n'").trim());
            Thread.sleep(100);
        }
        assertThat(frame).hasSize(11); // a masked text frame of 5 bytes: 2 of header, 4 of mask
        byte[] text = new byte[5];
        for (int i = 0; i < 5; i++) {
            text[i] = (byte) (frame[6 + i] ^ frame[2 + i % 4]);
        }
        assertThat(new String(text, StandardCharsets.UTF_8)).isEqualTo("ping!");
        ws.abort();

        // another tenant's token opens no socket
        try (java.net.Socket s = new java.net.Socket(root.getHost(), root.getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET /proxy/" + foo + "/9000/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bob.token()
                    + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            assertThat(headOf(s.getInputStream())).startsWith("HTTP/1.1 404");
        }
    }

    private void waitForPort(String name, int port) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            if (exec(name, "netstat -ltn | grep -q ':" + port + " ' && echo up || echo down").trim().equals("up")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("nothing listens on " + port + " in " + name);
    }

    static String headOf(java.io.InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    @Test
    void aTenantsSessionsAreCappedAndTheBytesBothWaysOfAForwardAreCounted() throws Exception {
        Api alice = tenant("alice");
        Path key = key(alice, "laptop");
        String foo = instance(alice, "foo");
        // four sessions hold the tenant's four terminal slots (gda.sessions.terminals-per-tenant)
        for (int i = 0; i < 4; i++) {
            Process p = new ProcessBuilder(ssh(key, foo, "sleep 60")).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            background.add(p);
        }
        for (int i = 0; i < 100 && !exec(foo, "ps | grep -c '[s]leep 60' || true").trim().equals("4"); i++) {
            Thread.sleep(200);
        }
        assertThat(exec(foo, "ps | grep -c '[s]leep 60' || true").trim()).isEqualTo("4");
        Result fifth = run(ssh(key, foo, "true"), null, 30);
        assertThat(fifth.exit()).as(fifth.toString()).isEqualTo(1);
        assertThat(fifth.err()).contains("gda.sessions.terminals-per-tenant");
        background.forEach(Process::destroyForcibly);
        for (Process p : background) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        // the slots come back when the sessions end
        Result again = null;
        for (int i = 0; i < 50 && (again == null || again.exit() != 0); i++) {
            again = run(ssh(key, foo, "true"), null, 30);
            Thread.sleep(again.exit() == 0 ? 0 : 200);
        }
        assertThat(again.exit()).as(again.toString()).isZero();

        // a forward's bytes count both ways: 3 MB come back from the container through the tunnel
        exec(foo, "head -c 3000000 /dev/zero | tr '\\0' x > /www/big.txt");
        String name = alice.get("/whoami").data().path("name").asString();
        String series = "gda_access_bytes_total{tenant=\"" + name + "\",via=\"ssh\"}";
        double before = counter(series);
        int local = ServiceProcess.freePort();
        Process tunnel = new ProcessBuilder(ssh(key, foo, "-N", "-o", "ExitOnForwardFailure=yes", "-L", "127.0.0.1:" + local + ":localhost:8080"))
                .redirectErrorStream(true).start();
        background.add(tunnel);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Integer length = null;
        for (int i = 0; i < 50 && length == null; i++) {
            try {
                length = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/big.txt")).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body().length;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        assertThat(length).isEqualTo(3_000_000);
        tunnel.destroy();
        tunnel.waitFor(10, TimeUnit.SECONDS);
        double after = 0;
        for (int i = 0; i < 50 && after - before < 3_000_000; i++) {
            after = counter(series);
            Thread.sleep(100);
        }
        assertThat(after - before).as("bytes counted for the forward").isGreaterThanOrEqualTo(3_000_000);
    }

    private double counter(String series) {
        String metrics = new Api(api.base().replace("/api/v1", ""), ADMIN_TOKEN).text("/actuator/prometheus");
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .findFirst().orElse(0);
    }
}
