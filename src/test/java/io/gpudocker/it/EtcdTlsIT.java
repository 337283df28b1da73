package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * etcd as production runs it: TLS on the client port and client-certificate authentication (--client-cert-auth).
 * A throwaway CA signs the member's certificate (SAN 127.0.0.1) and the service's client certificate, all made here
 * with openssl; a private etcd (own free ports and data dir, never the rig's) serves with them, and the service is
 * started from its command line with --etcd-cacert, --etcd-cert and --etcd-key on the rig's Docker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdTlsIT {
    private static final String ADMIN = IntegrationTestBase.ADMIN_TOKEN;
    private static final String NODE = "etcd-tls-it";

    private final Map<String, String> env = System.getenv();
    private final String dockerHost = env.getOrDefault("GDA_DOCKER_HOST", "unix:///tmp/gda-test/docker.sock");
    private final String nvidiaSmi = env.getOrDefault("GDA_GPU_NVIDIA_SMI", "nvidia-smi");
    private final String prefix = "/gpu-docker-api-etcd-tls-it-" + UUID.randomUUID().toString().substring(0, 8);
    private Path dir;
    private Path pki;
    private Process etcd;
    private String endpoint;

    @BeforeAll
    void pkiAndPrivateEtcd() throws Exception {
        dir = Files.createTempDirectory("gda-etcd-tls-it");
        pki = Files.createDirectories(dir.resolve("pki"));
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=gda-etcd-tls-it-ca",
                "-keyout", pem("ca-key"), "-out", pem("ca"));
        // etcd's own gateway dials the member with the server certificate, so it serves as a client certificate too
        signed("server", "/CN=etcd-member", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
        signed("client", "/CN=gda-node", "extendedKeyUsage=clientAuth\n");
        // a second CA, which signed nothing etcd trusts
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=gda-etcd-tls-it-other-ca",
                "-keyout", pem("other-ca-key"), "-out", pem("other-ca"));
        startEtcd();
    }

    @AfterAll
    void removeEtcdAndEverythingMade() throws Exception {
        if (etcd != null) {
            etcd.destroyForcibly();
            assertThat(etcd.waitFor(30, TimeUnit.SECONDS)).as("etcd gone").isTrue();
        }
        String left = docker("volume", "ls", "-q", "--filter", "label=io.gpudocker.owner=" + prefix).trim();
        for (String volume : left.lines().toList()) {
            docker("volume", "rm", "-f", volume);
        }
        FileSystemUtils.deleteRecursively(dir);
        assertThat(left).as("volumes left on the rig's Docker").isEmpty();
    }

    @Test
    void theServiceWorksOnEtcdOverTlsWithItsClientCertificate() throws Exception {
        int port = ServiceProcess.freePort();
        String base = "http://127.0.0.1:" + port;
        Api api = new Api(base + "/api/v1", ADMIN);
        String volume = "tls" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        try (ServiceProcess service = start("etcd-tls-it", prefix, port,
                "--etcd-cacert", pem("ca"), "--etcd-cert", pem("client"), "--etcd-key=" + pem("client-key"))) {
            service.awaitUp(() -> new Api(base).get("/ping").status() == 200);

            JsonNode etcdHealth = Api.JSON.readTree(new Api(base, ADMIN).text("/actuator/health")).path("components").path("etcd");
            assertThat(etcdHealth.path("status").asString()).as(etcdHealth.toString()).isEqualTo("UP");
            assertThat(etcdHealth.path("details").path("endpoints").asString()).as("host:port defaults to https").isEqualTo(endpoint);
            assertThat(etcdHealth.path("details").path("tls").asBoolean()).isTrue();
            assertThat(etcdHealth.path("details").path("clientCertificate").asBoolean()).isTrue();

            Api.Reply created = api.post("/volumes", Map.of("name", volume, "size", "10MB"));
            assertThat(created.status()).as(created.toString()).isEqualTo(200);
            Api.Reply got = api.get("/volumes/" + volume);
            assertThat(got.status()).as(got.toString()).isEqualTo(200);
            assertThat(got.data().path("node").asString()).isEqualTo(NODE);
            assertThat(etcdctl("get", "--keys-only", prefix + "/apis/v1/volumes/" + volume)).as("the record is in the TLS etcd")
                    .contains(prefix + "/apis/v1/volumes/" + volume);

            JsonNode nodes = api.get("/nodes").data();
            assertThat(nodes).hasSize(1);
            assertThat(nodes.get(0).path("name").asString()).isEqualTo(NODE);
            assertThat(nodes.get(0).path("state").asString()).isEqualTo("up");

            Api.Reply deleted = api.delete("/volumes/" + volume);
            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
            assertThat(docker("volume", "ls", "-q", "--filter", "label=io.gpudocker.owner=" + prefix).trim()).isEmpty();
            assertThat(service.output()).contains("etcd client: TLS to " + endpoint + ", members checked against " + pem("ca")
                    + ", client certificate " + pem("client"));
        }
    }

    @Test
    void withoutTheClientCertificateWithAnotherCaANameTheMemberDoesNotHaveOrAMissingKeyFileTheServiceRefusesToStartSayingWhy() throws Exception {
        String refused = prefix + "-refused";
        try (ServiceProcess noClientCert = start("etcd-tls-it-no-client-cert", refused, ServiceProcess.freePort(), "--etcd-cacert", pem("ca"));
                ServiceProcess otherCa = start("etcd-tls-it-other-ca", refused, ServiceProcess.freePort(),
                        "--etcd-cacert", pem("other-ca"), "--etcd-cert", pem("client"), "--etcd-key", pem("client-key"));
                ServiceProcess missingKey = start("etcd-tls-it-missing-key", refused, ServiceProcess.freePort(),
                        "--etcd-cacert", pem("ca"), "--etcd-cert", pem("client"), "--etcd-key", pem("no-such-key"));
                ServiceProcess otherName = start("etcd-tls-it-other-name", refused, "localhost", ServiceProcess.freePort(),
                        "--etcd-cacert", pem("ca"), "--etcd-cert", pem("client"), "--etcd-key", pem("client-key"))) {
            // the start waits for etcd (30 s) as for any etcd that does not answer, then gives up with the last reason
            assertThat(noClientCert.awaitExit(Duration.ofSeconds(180))).as("exit status; see %s", noClientCert.logFile()).isNotZero();
            assertThat(otherCa.awaitExit(Duration.ofSeconds(180))).as("exit status; see %s", otherCa.logFile()).isNotZero();
            assertThat(missingKey.awaitExit(Duration.ofSeconds(180))).as("exit status; see %s", missingKey.logFile()).isNotZero();
            assertThat(otherName.awaitExit(Duration.ofSeconds(180))).as("exit status; see %s", otherName.logFile()).isNotZero();

            assertThat(noClientCert.output()).contains("etcd client: TLS to " + endpoint + ", members checked against " + pem("ca") + ", no client certificate")
                    .containsPattern("cannot start: etcd at " + Pattern.quote(endpoint) + " failed to [^\\n]*: UNAVAILABLE: ssl exception"
                            + " \\(Received fatal alert: (bad_certificate|certificate_required)\\)");
            assertThat(otherCa.output()).containsPattern("cannot start: etcd at " + Pattern.quote(endpoint) + " failed to [^\\n]*: UNAVAILABLE: [^\\n]*"
                    + "\\(PKIX path building failed: [^\\n]*unable to find valid certification path to requested target\\)");
            assertThat(otherName.output()).as("the member's certificate names 127.0.0.1, not the endpoint's host")
                    .containsPattern("cannot start: etcd at https://localhost:[0-9]+ failed to [^\\n]*: UNAVAILABLE: [^\\n]*"
                            + "\\(No (subject alternative DNS )?name matching localhost found\\.?\\)");
            assertThat(missingKey.output()).as("settings that cannot work are refused before anything is tried")
                    .contains("--etcd-key (gda.etcd.key-file) " + pem("no-such-key") + " is not a readable file")
                    .doesNotContain("etcd client: TLS to");
        }
        assertThat(etcdctl("get", "--prefix", "--keys-only", refused + "/")).as("nothing written by the refused starts").isBlank();
    }

    private ServiceProcess start(String name, String etcdPrefix, int port, String... tlsFlags) throws IOException {
        return start(name, etcdPrefix, "127.0.0.1", port, tlsFlags);
    }

    /** The service on the rig's Docker, calling the private etcd by {@code etcdHost} with no scheme, with these TLS flags. */
    private ServiceProcess start(String name, String etcdPrefix, String etcdHost, int port, String... tlsFlags) throws IOException {
        List<String> flags = new ArrayList<>(ServiceProcess.rigFlags(port, dockerHost, nvidiaSmi, ADMIN,
                "--node-name", NODE, "--gda.state-dir=" + dir.resolve("state-" + port)));
        flags.addAll(List.of(tlsFlags));
        return ServiceProcess.start(name, etcdPrefix, etcdHost + ":" + endpoint.substring(endpoint.lastIndexOf(':') + 1), "46800-46899", flags);
    }

    private void startEtcd() throws Exception {
        int clientPort = ServiceProcess.freePort();
        int peerPort = ServiceProcess.freePort();
        endpoint = "https://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        etcd = new ProcessBuilder("etcd", "--name", "gda-etcd-tls-it", "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "gda-etcd-tls-it=" + peer,
                "--cert-file", pem("server"), "--key-file", pem("server-key"), "--client-cert-auth", "--trusted-ca-file", pem("ca"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!healthy()) {
            assertThat(etcd.isAlive()).as("etcd runs; see %s", dir.resolve("etcd.log")).isTrue();
            assertThat(System.nanoTime()).as("etcd healthy within 30 s; see %s", dir.resolve("etcd.log")).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private boolean healthy() {
        return exec(Map.of(), etcdctlCommand("endpoint", "health")).exit() == 0;
    }

    private String etcdctl(String... args) {
        Exec r = exec(Map.of(), etcdctlCommand(args));
        assertThat(r.exit()).as("etcdctl %s: %s", String.join(" ", args), r.out()).isZero();
        return r.out();
    }

    private String[] etcdctlCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint, "--dial-timeout=3s",
                "--cacert", pem("ca"), "--cert", pem("client"), "--key", pem("client-key")));
        cmd.addAll(List.of(args));
        return cmd.toArray(String[]::new);
    }

    private String docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Exec r = exec(Map.of("DOCKER_HOST", dockerHost), cmd.toArray(String[]::new));
        assertThat(r.exit()).as("docker %s: %s", String.join(" ", args), r.out()).isZero();
        return r.out();
    }

    /** A key and a certificate signed by the CA, with these X.509 extensions. */
    private void signed(String name, String subject, String extensions) throws Exception {
        Path ext = Files.writeString(pki.resolve(name + ".ext"), extensions);
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", pem(name + "-key"), "-out", pki.resolve(name + ".csr").toString());
        openssl("x509", "-req", "-in", pki.resolve(name + ".csr").toString(), "-CA", pem("ca"), "-CAkey", pem("ca-key"),
                "-CAcreateserial", "-days", "1", "-extfile", ext.toString(), "-out", pem(name));
    }

    private void openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Exec r = exec(Map.of(), cmd.toArray(String[]::new));
        assertThat(r.exit()).as("openssl %s: %s", String.join(" ", args), r.out()).isZero();
    }

    private String pem(String name) {
        return pki.resolve(name + ".pem").toString();
    }

    private record Exec(int exit, String out) {}

    private static Exec exec(Map<String, String> extraEnv, String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(extraEnv);
            pb.environment().put("ETCDCTL_API", "3");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Exec(p.waitFor(), out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
