package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.util.FileSystemUtils;

/**
 * The SSH gateway and the port proxy of a node that does not run the instance: node b runs it, the clients talk to
 * node a only, with Debian's OpenSSH and HTTP, as on a cluster whose users know one address. Two service processes on
 * the rig's two Docker engines, as {@link ClusterIT} starts them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessClusterIT {
    private static final String PREFIX = "/gpu-docker-api-access-cluster-it";
    private static final String ADMIN = IntegrationTestBase.ADMIN_TOKEN;
    private static final Duration IDLE = Duration.ofSeconds(6);

    private final Map<String, String> env = System.getenv();
    private final String etcd = env.getOrDefault("GDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379");
    private final Map<String, String> engines = Map.of(
            "a", env.getOrDefault("GDA_DOCKER_HOST", "unix:///tmp/gda-test/docker.sock"),
            "b", env.getOrDefault("GDA_NODE2_DOCKER_HOST", "unix:///tmp/gda-test/node2/docker.sock"));
    private final Map<String, ServiceProcess> processes = new HashMap<>();
    private Api a;
    private Api b;
    private Api alice;
    private String tenant;
    private String foo;
    private Path dir;
    private Path key;

    @BeforeAll
    void startBothNodesAndAnInstanceOnB() throws Exception {
        RigShell.wipe(etcd, engines, PREFIX);
        FileSystemUtils.deleteRecursively(Path.of("target", "access-cluster-it"));
        String[] range = env.getOrDefault("GDA_IT_CLUSTER_PORTS", "47000-47399").split("-");
        int lo = Integer.parseInt(range[0]);
        int hi = Integer.parseInt(range[1]);
        int mid = lo + (hi - lo + 1) / 2;
        Map<String, String> ports = Map.of("a", lo + "-" + (mid - 1), "b", mid + "-" + hi);
        Map<String, Api> apis = new HashMap<>();
        for (String node : List.of("a", "b")) {
            int port = ServiceProcess.freePort();
            String smi = env.getOrDefault(node.equals("a") ? "GDA_GPU_NVIDIA_SMI" : "GDA_NODE2_NVIDIA_SMI", "nvidia-smi");
            List<String> flags = ServiceProcess.rigFlags(port, engines.get(node), smi, ADMIN, "--node-name", node, "--advertise", "http://127.0.0.1:" + port,
                    "--gda.node.lease-ttl=4s", "--gda.docker.exec-timeout=5s",
                    "--gda.ssh.idle-timeout=" + IDLE.toSeconds() + "s", "--gda.proxy.idle-timeout=" + IDLE.toSeconds() + "s",
                    "--gda.state-dir=" + Path.of("target", "access-cluster-it", node).toAbsolutePath());
            processes.put(node, ServiceProcess.start("access-cluster-it-" + node, PREFIX, ports.get(node), flags));
            apis.put(node, new Api("http://127.0.0.1:" + port + "/api/v1", ADMIN));
        }
        a = apis.get("a");
        b = apis.get("b");
        processes.get("a").awaitUp(() -> a.get("/whoami").status() == 200);
        processes.get("b").awaitUp(() -> b.get("/whoami").status() == 200);
        for (int i = 0; i < 120 && a.get("/nodes").data().size() < 2; i++) {
            Thread.sleep(250);
        }

        tenant = "alice" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Api.Reply issued = a.post("/tokens", Map.of("name", tenant));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        alice = a.as(issued.data().path("token").asString());
        dir = Files.createTempDirectory("gda-access-cluster-it");
        key = dir.resolve("id");
        assertThat(new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()).start().waitFor()).isZero();
        assertThat(alice.post("/keys", Map.of("name", "laptop", "publicKey", Files.readString(Path.of(key + ".pub")))).status()).isEqualTo(200);

        foo = "foo" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Map<String, Object> body = new HashMap<>();
        body.put("imageName", IntegrationTestBase.IMAGE);
        body.put("replicaSetName", foo);
        body.put("gpuCount", 0);
        body.put("cmd", AccessIT.WEB_AND_WS);
        body.put("node", "b");
        Api.Reply created = alice.post("/replicaSet", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(a.get("/replicaSet/" + foo).data().path("node").asString()).isEqualTo("b");
    }

    @AfterAll
    void deleteEverything() throws Exception {
        try {
            if (alice != null) {
                alice.delete("/replicaSet/" + foo);
                alice.delete("/keys/laptop");
                a.delete("/tokens/" + tenant);
            }
        } finally {
            for (ServiceProcess p : processes.values()) {
                p.close();
            }
            String left = RigShell.docker(engines.get("b"), "ps", "-aq", "--filter", "label=io.gpudocker.owner=" + PREFIX).trim();
            RigShell.wipe(etcd, engines, PREFIX);
            if (dir != null) {
                FileSystemUtils.deleteRecursively(dir);
            }
            assertThat(left).as("containers left on b").isEmpty();
        }
    }

    private int sshPortOf(Api node) {
        return node.get("/whoami").data().path("ssh").path("port").asInt();
    }

    private List<String> sshOptions(String tool, String portFlag) {
        return new ArrayList<>(List.of(tool, "-F", "/dev/null", "-i", key.toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", portFlag, String.valueOf(sshPortOf(a))));
    }

    private record Result(int exit, String out, String err) {}

    private Result run(List<String> cmd, String input) throws Exception {
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
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        Result r = new Result(done ? p.exitValue() : -999, Files.readString(out), Files.readString(err));
        assertThat(done).as("%s did not end: %s", cmd, r).isTrue();
        return r;
    }

    @Test
    void sshThroughTheNodeThatDoesNotRunTheInstanceLandsInIt() throws Exception {
        List<String> cmd = sshOptions("ssh", "-p");
        cmd.addAll(List.of(foo + "@127.0.0.1", "echo out; echo err >&2; cat /etc/hostname >/dev/null; exit 3"));
        Result r = run(cmd, null);
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).isEqualTo("err\n");

        List<String> piped = sshOptions("ssh", "-p");
        piped.addAll(List.of(foo + "@127.0.0.1", "cat > /tmp/in && wc -c < /tmp/in"));
        Result in = run(piped, "x".repeat(200_000));
        assertThat(in.exit()).as(in.toString()).isZero();
        assertThat(in.out().trim()).isEqualTo("200000");
        // it ran in b's container: b's engine holds the file
        String container = RigShell.docker(engines.get("b"), "ps", "--format", "{{.Names}}", "--filter", "label=io.gpudocker.replicaset=" + foo).trim();
        assertThat(RigShell.docker(engines.get("b"), "exec", container, "wc", "-c", "/tmp/in").trim()).startsWith("200000");

        List<String> tty = sshOptions("ssh", "-p");
        tty.addAll(List.of("-tt", foo + "@127.0.0.1"));
        Result shell = run(tty, "echo tty-$((6*7)); [ -t 0 ] && echo is-a-terminal; exit 5\n");
        assertThat(shell.exit()).as(shell.toString()).isEqualTo(5);
        assertThat(shell.out()).contains("tty-42").contains("is-a-terminal");

        byte[] data = new byte[1024 * 1024 + 5];
        new java.util.Random(11).nextBytes(data);
        Files.write(dir.resolve("data.bin"), data);
        List<String> up = sshOptions("scp", "-P");
        up.addAll(List.of(dir.resolve("data.bin").toString(), foo + "@127.0.0.1:/tmp/data.bin"));
        assertThat(run(up, null).exit()).isZero();
        List<String> down = sshOptions("scp", "-P");
        down.addAll(List.of(foo + "@127.0.0.1:/tmp/data.bin", dir.resolve("back.bin").toString()));
        assertThat(run(down, null).exit()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("back.bin"))).isEqualTo(data);

        // ssh -L through a: each connection reaches the instance's port on b
        int local = ServiceProcess.freePort();
        List<String> forward = sshOptions("ssh", "-p");
        forward.addAll(List.of("-N", "-o", "ExitOnForwardFailure=yes", "-L", "127.0.0.1:" + local + ":localhost:8080", foo + "@127.0.0.1"));
        Process tunnel = new ProcessBuilder(forward).redirectErrorStream(true).start();
        try {
            for (int round = 0; round < 3; round++) {
                // a client of its own each round: a connection, and so a forwarded channel, of its own
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                String body = null;
                for (int i = 0; i < 50 && body == null; i++) {
                    try {
                        body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/index.html")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
                    } catch (IOException notYet) {
                        Thread.sleep(200);
                    }
                }
                assertThat(body).as("forwarded connection %s", round).isEqualTo("hello-from-httpd\n");
            }
        } finally {
            tunnel.destroyForcibly();
            tunnel.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theProxyOfTheNodeThatDoesNotRunTheInstanceCarriesHttpAndWebSockets() throws Exception {
        URI root = URI.create(a.base());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> page = null;
        for (int i = 0; i < 50 && (page == null || page.statusCode() != 200); i++) {
            page = http.send(HttpRequest.newBuilder(URI.create("http://" + root.getAuthority() + "/proxy/" + foo + "/8080/index.html"))
                    .header("Authorization", "Bearer " + alice.token()).build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(page.statusCode() == 200 ? 0 : 200);
        }
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).isEqualTo("hello-from-httpd\n");

        // the console's cookie from node a opens the app on b through a
        HttpResponse<String> session = http.send(HttpRequest.newBuilder(URI.create("http://" + root.getAuthority() + "/api/v1/proxy/" + foo + "/session"))
                .header("Authorization", "Bearer " + alice.token()).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        String cookie = session.headers().firstValue("Set-Cookie").orElseThrow();
        HttpResponse<String> byCookie = http.send(HttpRequest.newBuilder(URI.create("http://" + root.getAuthority() + "/proxy/" + foo + "/8080/index.html"))
                .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(byCookie.statusCode()).isEqualTo(200);

        try (Socket s = new Socket(root.getHost(), root.getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET /proxy/" + foo + "/9000/echo HTTP/1.1\r\nHost: " + root.getAuthority() + "\r\nAuthorization: Bearer " + alice.token()
                    + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            assertThat(AccessIT.headOf(in)).startsWith("HTTP/1.1 101").contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            for (String word : List.of("one", "two", "three")) {
                s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                assertThat(new String(in.readNBytes(word.length()), StandardCharsets.US_ASCII)).isEqualTo(word);
            }
        }

        // a forged carried caller is refused: the node checks the signature itself
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(b.base().replace("/api/v1", "") + "/proxy/" + foo + "/8080/index.html"))
                .header("X-GDA-Signature", "forged").header("X-GDA-Node", "a").header("X-GDA-Receiver", "b").header("X-GDA-Caller", tenant)
                .header("X-GDA-Caller-Admin", "false").header("X-GDA-Time", String.valueOf(System.currentTimeMillis())).header("X-GDA-Nonce", "n1")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(401);
    }

    @Test
    void anSshSessionAndAWebSocketThatCarryNothingAreCutAtTheIdleTimeout() throws Exception {
        List<String> cmd = sshOptions("ssh", "-p");
        cmd.addAll(List.of(foo + "@127.0.0.1", "sleep 40; echo still-here"));
        long start = System.nanoTime();
        Result r = run(cmd, null);
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertThat(r.out()).doesNotContain("still-here");
        assertThat(r.exit()).isEqualTo(255);
        assertThat(seconds).isBetween(IDLE.toSeconds() - 1, 30L);

        URI root = URI.create(a.base());
        try (Socket s = new Socket(root.getHost(), root.getPort())) {
            s.setSoTimeout(40_000);
            s.getOutputStream().write(("GET /proxy/" + foo + "/9000/echo HTTP/1.1\r\nHost: " + root.getAuthority() + "\r\nAuthorization: Bearer " + alice.token()
                    + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            assertThat(AccessIT.headOf(in)).startsWith("HTTP/1.1 101");
            // traffic keeps it open past the timeout
            long quiet = 0;
            for (int i = 0; i < 4; i++) {
                Thread.sleep(IDLE.toMillis() / 2);
                s.getOutputStream().write('x');
                assertThat(in.read()).isEqualTo('x');
                quiet = System.nanoTime();
            }
            assertThat(in.read()).as("the quiet socket is closed").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - quiet).toSeconds()).isBetween(IDLE.toSeconds() - 1, 30L);
        }
    }
}
