package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * Between nodes, as an operator secures them: two nodes (a on the rig's engine, b on its second one) serve HTTPS with
 * certificates from a test CA made here with openssl, are given that CA as gda.node.trust-store, advertise https://,
 * and share one admin token (from which they derive their cluster secret). Plays the attacks on the link between nodes:
 * someone who reads all of etcd forging a forwarded call, a node whose certificate the cluster does not trust, and a
 * node started with another secret.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeTlsIT {
    private static final String PREFIX = "/gpu-docker-api-node-tls-it";
    private static final String ADMIN = IntegrationTestBase.ADMIN_TOKEN;
    private static final Duration LEASE_TTL = Duration.ofSeconds(4);

    private final Map<String, String> env = System.getenv();
    private final String etcd = env.getOrDefault("GDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379");
    private final Map<String, String> engines = Map.of(
            "a", env.getOrDefault("GDA_DOCKER_HOST", "unix:///tmp/gda-test/docker.sock"),
            "b", env.getOrDefault("GDA_NODE2_DOCKER_HOST", "unix:///tmp/gda-test/node2/docker.sock"));
    private final Path work = Path.of("target", "node-tls-it").toAbsolutePath();
    private final Path pki = work.resolve("pki");
    private final Map<String, ServiceProcess> processes = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();
    private final List<String> replicaSets = new ArrayList<>();
    private String[] portRanges;
    private HttpClient trustingCa;
    private Api a;

    @BeforeAll
    void startTwoNodesOverTls() throws Exception {
        wipe();
        FileSystemUtils.deleteRecursively(work);
        Files.createDirectories(pki);
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=gda-node-tls-it-ca",
                "-keyout", pem("ca-key"), "-out", pem("ca"));
        signed("a", "ca");
        signed("b", "ca");
        // a CA the cluster was not told of, and a node certificate it signed
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=gda-node-tls-it-other-ca",
                "-keyout", pem("other-ca-key"), "-out", pem("other-ca"));
        signed("c", "other-ca");
        trustingCa = client(pem("ca"));

        String[] range = env.getOrDefault("GDA_IT_CLUSTER_PORTS", "47000-47399").split("-");
        int lo = Integer.parseInt(range[0]);
        int mid = lo + (Integer.parseInt(range[1]) - lo + 1) / 2;
        portRanges = new String[] {lo + "-" + (mid - 1), mid + "-" + range[1]};
        start("a", engines.get("a"), env.getOrDefault("GDA_GPU_NVIDIA_SMI", "nvidia-smi"), portRanges[0], ADMIN);
        start("b", engines.get("b"), env.getOrDefault("GDA_NODE2_NVIDIA_SMI", "nvidia-smi"), portRanges[1], ADMIN);
        a = api("a", trustingCa);
        Api b = api("b", trustingCa);
        processes.get("a").awaitUp(() -> a.get("/whoami").status() == 200);
        processes.get("b").awaitUp(() -> b.get("/whoami").status() == 200);
        awaitTrue(() -> "up".equals(states(a).get("b")), "b up as a sees it", Duration.ofSeconds(30));
    }

    private void start(String node, String dockerHost, String nvidiaSmi, String portRange, String adminToken, String... extra) throws IOException {
        int port = ports.computeIfAbsent(node, n -> freePort());
        List<String> flags = ServiceProcess.rigFlags(port, dockerHost, nvidiaSmi, adminToken,
                "--node-name", node, "--advertise", "https://127.0.0.1:" + port,
                "--tls-cert", pem(node.equals("d") ? "a" : node), "--tls-key=" + pem((node.equals("d") ? "a" : node) + "-key"),
                "--gda.node.trust-store=" + pem("ca"),
                "--gda.node.lease-ttl=" + LEASE_TTL.toSeconds() + "s", "--gda.reconcile.period=3s", "--gda.docker.exec-timeout=5s",
                "--gda.state-dir=" + work.resolve("state-" + node));
        flags.addAll(List.of(extra));
        processes.put(node, ServiceProcess.start("node-tls-it-" + node, PREFIX, portRange, flags));
    }

    @AfterAll
    void stopTheNodesAndCheckNothingLeft() throws Exception {
        if (processes.containsKey("a") && processes.get("a").alive()) {
            for (String name : replicaSets) {
                a.delete("/replicaSet/" + name);
            }
        }
        for (ServiceProcess p : processes.values()) {
            p.close();
        }
        Map<String, String> left = new TreeMap<>();
        for (String node : engines.keySet()) {
            left.put("containers on " + node, docker(node, "ps", "-aq", "--filter", "label=io.gpudocker.owner=" + PREFIX).trim());
        }
        left.put("etcd keys of replicasets", String.join(" ", etcdValues(PREFIX + "/apis/v1/replicasets/").keySet()));
        wipe();
        FileSystemUtils.deleteRecursively(work);
        assertThat(left).allSatisfy((what, found) -> assertThat(found).as(what).isEmpty());
    }

    @Test
    @Order(1)
    void aCallThroughOneNodeForTheOthersInstanceGoesOverTls() throws Exception {
        JsonNode nodes = a.get("/nodes").data();
        List<String> advertised = new ArrayList<>();
        nodes.forEach(n -> advertised.add(n.path("advertise").asString()));
        assertThat(advertised).hasSize(2).allMatch(url -> url.startsWith("https://127.0.0.1:"));

        String name = "tls" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        replicaSets.add(name);
        Map<String, Object> body = new HashMap<>();
        body.put("imageName", IntegrationTestBase.IMAGE);
        body.put("replicaSetName", name);
        body.put("gpuCount", 1);
        body.put("cmd", IntegrationTestBase.SLEEP);
        body.put("node", "b");
        Api.Reply created = a.post("/replicaSet", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(containers("b", name)).as("its container on b's engine").isNotEmpty();
        assertThat(containers("a", name)).as("nothing of it on a's engine").isEmpty();

        Api.Reply detail = a.get("/replicaSet/" + name);
        assertThat(detail.status()).as(detail.toString()).isEqualTo(200);
        assertThat(detail.data().path("node").asString()).isEqualTo("b");
        Api.Reply exec = a.post("/replicaSet/" + name + "/execute", Map.of("cmd", List.of("echo", "over-tls")));
        assertThat(exec.status()).as(exec.toString()).isEqualTo(200);
        assertThat(exec.data().path("stdout").asString()).isEqualTo("over-tls\n");
        Api.Reply deleted = a.delete("/replicaSet/" + name);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(containers("b", name)).isEmpty();
        replicaSets.remove(name);

        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        assertThat(TlsIT.status(plain, "http://127.0.0.1:" + ports.get("b") + "/ping", null)).as("plain HTTP to b").isNotEqualTo(200);
        for (String node : List.of("a", "b")) {
            assertThat(processes.get(node).output()).as("log of %s", node).doesNotContain("over plain HTTP").doesNotContain(ADMIN);
        }
    }

    /**
     * Whoever reads all of etcd (a backup, a leaked etcd client certificate) takes every value under the prefix, as it is
     * and decoded (base64, hex), as the key forwarded calls are signed with, and signs an admin call to node a as if
     * node b forwarded it. None is accepted: the secret is never in etcd. The same call signed with the secret derived
     * from the admin token (what the nodes hold) is, so the forgeries are well made and refused for their key alone.
     */
    @Test
    @Order(2)
    void whoReadsAllOfEtcdCannotForgeACallBetweenNodes() throws Exception {
        Map<String, String> everything = etcdValues(PREFIX + "/");
        assertThat(everything).as("what a reader of etcd sees").isNotEmpty();
        List<byte[]> candidates = new ArrayList<>();
        for (String value : everything.values()) {
            candidates.addAll(keysIn(value));
            JsonNode json = parseOrNull(value);
            if (json != null) {
                json.forEach(field -> candidates.addAll(field.isValueNode() ? keysIn(field.asString()) : List.of()));
            }
        }
        Map<String, Integer> accepted = new TreeMap<>();
        for (byte[] key : candidates) {
            int status = forged(key).status();
            if (status != 401) {
                accepted.put(HexFormat.of().formatHex(key), status);
            }
        }
        assertThat(accepted).as("keys read from etcd (%d tried) that node a did not refuse", candidates.size()).isEmpty();

        String clusterId = Api.JSON.readTree(everything.get(PREFIX + "/apis/v1/cluster")).path("id").asString();
        Api.Reply rightKey = forged(hkdf(clusterId.getBytes(StandardCharsets.UTF_8), ADMIN.getBytes(StandardCharsets.UTF_8),
                "gpu-docker-api inter-node secret v1".getBytes(StandardCharsets.UTF_8)));
        assertThat(rightKey.status()).as("the same call signed with the nodes' secret: %s", rightKey).isEqualTo(200);
    }

    @Test
    @Order(3)
    void aNodeWhoseCertificateTheClusterDoesNotTrustIsRefusedWithNoFallbackToPlainText() throws Exception {
        start("c", engines.get("a"), env.getOrDefault("GDA_GPU_NVIDIA_SMI", "nvidia-smi"), portRanges[0], ADMIN);
        Api c = api("c", client(pem("other-ca")));
        processes.get("c").awaitUp(() -> c.get("/whoami").status() == 200);
        awaitTrue(() -> "up".equals(states(a).get("c")), "c up as a sees it", Duration.ofSeconds(30));

        Api.Reply viaA = a.get("/images?node=c");
        assertThat(viaA.status()).as(viaA.toString()).isEqualTo(503);
        assertThat(viaA.code()).isEqualTo(1090);
        assertThat(viaA.msg()).contains("refused over TLS at https://127.0.0.1:" + ports.get("c")).contains("not trusted").contains("gda.node.trust-store");
        assertThat(c.get("/images").status()).as("c itself answers its own clients").isEqualTo(200);
        processes.remove("c").close();
    }

    @Test
    @Order(4)
    void aNodeWhoseClusterSecretDiffersFromTheRunningNodesRefusesToStart() throws Exception {
        start("d", engines.get("a"), env.getOrDefault("GDA_GPU_NVIDIA_SMI", "nvidia-smi"), portRanges[0], ADMIN + "-another-one");
        ServiceProcess d = processes.get("d");
        assertThat(d.awaitExit(Duration.ofSeconds(180))).as("exit status; see %s", d.logFile()).isNotZero();
        assertThat(d.output()).contains("cluster secret (derived from the admin token) differs from the one the running nodes sign with")
                .contains("GDA_ADMIN_TOKEN");
        assertThat(states(a)).doesNotContainKey("d");
        processes.remove("d");
    }

    // --- helpers

    /** Node a's answer to an admin call signed with {@code key} as if node b forwarded it (the nodes' signing scheme). */
    private Api.Reply forged(byte[] key) throws Exception {
        String method = "GET";
        String uri = "/api/v1/tokens";
        String time = Long.toString(System.currentTimeMillis());
        String nonce = UUID.randomUUID().toString();
        String text = String.join("\n", method, uri, "admin", "true", "b", "a", time, nonce,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[0])));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ports.get("a") + uri)).GET()
                .header("X-GDA-Node", "b").header("X-GDA-Receiver", "a").header("X-GDA-Caller", "admin").header("X-GDA-Caller-Admin", "true")
                .header("X-GDA-Time", time).header("X-GDA-Nonce", nonce).header("X-GDA-Signature", signature).build();
        HttpResponse<String> r = trustingCa.send(request, HttpResponse.BodyHandlers.ofString());
        return new Api.Reply(r.statusCode(), r.body().isEmpty() ? Api.JSON.createObjectNode() : Api.JSON.readTree(r.body()));
    }

    /** A text as a reader of etcd might take it for a key: as it is, base64-decoded, hex-decoded. */
    private static List<byte[]> keysIn(String text) {
        List<byte[]> keys = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return keys;
        }
        keys.add(text.getBytes(StandardCharsets.UTF_8));
        try {
            keys.add(Base64.getDecoder().decode(text.trim()));
        } catch (IllegalArgumentException notBase64) {
            // not that form
        }
        try {
            keys.add(HexFormat.of().parseHex(text.trim()));
        } catch (IllegalArgumentException notHex) {
            // not that form
        }
        keys.removeIf(k -> k.length == 0);
        return keys;
    }

    private static JsonNode parseOrNull(String value) {
        try {
            JsonNode json = Api.JSON.readTree(value);
            return json.isObject() ? json : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** RFC 5869 HKDF-SHA256, 32 bytes, written out here from the RFC rather than taken from the service. */
    private static byte[] hkdf(byte[] salt, byte[] inputKey, byte[] info) throws Exception {
        Mac extract = Mac.getInstance("HmacSHA256");
        extract.init(new SecretKeySpec(salt, "HmacSHA256"));
        byte[] prk = extract.doFinal(inputKey);
        Mac expand = Mac.getInstance("HmacSHA256");
        expand.init(new SecretKeySpec(prk, "HmacSHA256"));
        expand.update(info);
        expand.update((byte) 1);
        return expand.doFinal();
    }

    private Api api(String node, HttpClient http) {
        return new Api("https://127.0.0.1:" + ports.get(node) + "/api/v1", ADMIN, http);
    }

    private static Map<String, String> states(Api via) {
        Api.Reply r = via.get("/nodes");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Map<String, String> states = new TreeMap<>();
        r.data().forEach(n -> states.put(n.path("name").asString(), n.path("state").asString()));
        return states;
    }

    private List<String> containers(String node, String replicaSet) {
        String out = docker(node, "ps", "-a", "--format", "{{.Names}}",
                "--filter", "label=io.gpudocker.owner=" + PREFIX, "--filter", "label=io.gpudocker.replicaset=" + replicaSet);
        return out.isBlank() ? List.of() : List.of(out.trim().split("\n"));
    }

    private String docker(String node, String... args) {
        return RigShell.docker(engines.get(node), args);
    }

    /** Full key to value, read as any etcd client with read access would (values base64 in etcdctl's JSON output). */
    private Map<String, String> etcdValues(String prefix) {
        JsonNode out = Api.JSON.readTree(RigShell.run(Map.of("ETCDCTL_API", "3"), "etcdctl", "--endpoints", etcd, "get", "--prefix", "-w", "json", prefix));
        Map<String, String> m = new TreeMap<>();
        out.path("kvs").forEach(kv -> m.put(decode(kv.path("key").asString()), decode(kv.path("value").asString())));
        return m;
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    /** Everything a previous run may have left under the prefix, in etcd and in both engines. */
    private void wipe() {
        RigShell.wipe(etcd, engines, PREFIX);
    }

    /** A certificate for 127.0.0.1 signed by {@code ca}, for serving and (with clientAuth) nothing else. */
    private void signed(String name, String ca) throws IOException {
        Path ext = pki.resolve(name + ".ext");
        Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=node-" + name, "-keyout", pem(name + "-key"),
                "-out", pki.resolve(name + ".csr").toString());
        openssl("x509", "-req", "-in", pki.resolve(name + ".csr").toString(), "-CA", pem(ca), "-CAkey", pem(ca + "-key"),
                "-CAcreateserial", "-days", "1", "-extfile", ext.toString(), "-out", pem(name));
    }

    private String pem(String name) {
        return pki.resolve(name + ".pem").toString();
    }

    private static void openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        RigShell.run(Map.of(), cmd.toArray(String[]::new));
    }

    private static HttpClient client(String caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(Path.of(caPem))) {
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("ca", c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static int freePort() {
        try {
            return ServiceProcess.freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException | AssertionError notYet) {
                // not yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError(what + " within " + limit);
    }
}
