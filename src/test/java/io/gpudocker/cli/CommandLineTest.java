package io.gpudocker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.BuildInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void mapsTheOriginalFlagsOntoProperties() {
        var parsed = CommandLine.parse(new String[] {"-a", "127.0.0.1:9000", "-e", "10.0.0.1:2379,10.0.0.2:2379", "-p", "45000-46000", "-l", "DEBUG", "--gda.history.keep=9"});
        assertThat(parsed.help()).isFalse();
        assertThat(parsed.springArgs()).containsExactly("--server.address=127.0.0.1", "--server.port=9000",
                "--gda.etcd.endpoints=10.0.0.1:2379,10.0.0.2:2379", "--gda.ports.range=45000-46000",
                "--logging.level.io.gpudocker=debug", "--gda.history.keep=9");
    }

    @Test
    void longFormsWithEqualsWork() {
        var parsed = CommandLine.parse(new String[] {"--addr=0.0.0.0:2378", "--portRange=40000-41000"});
        assertThat(parsed.springArgs()).contains("--server.port=2378", "--gda.ports.range=40000-41000");
    }

    @Test
    void theOriginalsSpellingsWork() {
        var parsed = CommandLine.parse(new String[] {"-a=127.0.0.1:9000", "-e=10.0.0.1:2379", "-p=45000-46000", "-l=release"});
        assertThat(parsed.springArgs()).containsExactly("--server.address=127.0.0.1", "--server.port=9000",
                "--gda.etcd.endpoints=10.0.0.1:2379", "--gda.ports.range=45000-46000", "--logging.level.io.gpudocker=info");
        assertThat(CommandLine.parse(new String[] {"-l", "release"}).springArgs()).containsExactly("--logging.level.io.gpudocker=info");
        assertThat(CommandLine.parse(new String[] {"-l", "warning"}).springArgs()).containsExactly("--logging.level.io.gpudocker=warn");
        assertThat(CommandLine.parse(new String[] {"--logLevel=Debug"}).springArgs()).containsExactly("--logging.level.io.gpudocker=debug");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"-x=1"})).hasMessageContaining("unknown argument '-x=1'");
    }

    @Test
    void bindRootsMapOntoTheAllowedRootsAndMustBeAbsolute() {
        assertThat(CommandLine.parse(new String[] {"--bind-roots", "/data,/nfs"}).springArgs()).containsExactly("--gda.binds.allowed-roots=/data,/nfs");
        assertThat(CommandLine.parse(new String[] {"--bind-roots=/data"}).springArgs()).containsExactly("--gda.binds.allowed-roots=/data");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--bind-roots", "/data,nfs"})).hasMessageContaining("bind root 'nfs' must be an absolute path");
    }

    @Test
    void importOriginalAsksForTheOriginalsObjectsToBeAdopted() {
        assertThat(CommandLine.parse(new String[] {"--import-original"}).springArgs()).containsExactly("--gda.import-original=true");
        assertThat(CommandLine.parse(new String[] {}).springArgs()).doesNotContain("--gda.import-original=true");
    }

    @Test
    void recoverAsksForRecordsToBeRebuilt() {
        assertThat(CommandLine.parse(new String[] {"--recover"}).springArgs()).containsExactly("--gda.recover=true");
        assertThat(CommandLine.parse(new String[] {}).springArgs()).doesNotContain("--gda.recover=true");
    }

    @Test
    void malformedValuesAreRefusedWithOneClearLine() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"-p", "5000-4000"})).hasMessageContaining("inverted");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"-a", "nonsense"})).hasMessageContaining("must look like 0.0.0.0:2378");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"-a", "0.0.0.0:99999"})).hasMessageContaining("outside 1-65535");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"-e", "not an endpoint"})).hasMessageContaining("etcd endpoint");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"-l", "loud"})).hasMessageContaining("log level");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"-p"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--bogus"})).hasMessageContaining("unknown argument");
    }

    @Test
    void tlsFlagsBecomeAnSslBundleOfThePemFiles() {
        var parsed = CommandLine.parse(new String[] {"--tls-cert", "/etc/gda/cert.pem", "--tls-key=/etc/gda/key.pem", "--no-auth"});
        assertThat(parsed.springArgs()).containsExactly("--gda.auth.enabled=false",
                "--spring.ssl.bundle.pem.gda.keystore.certificate=file:/etc/gda/cert.pem",
                "--spring.ssl.bundle.pem.gda.keystore.private-key=file:/etc/gda/key.pem",
                "--server.ssl.bundle=gda");
    }

    @Test
    void tlsNeedsBothTheCertificateAndTheKey() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--tls-cert", "/etc/gda/cert.pem"}))
                .isInstanceOf(CommandLine.InvalidArgumentException.class).hasMessage("HTTPS needs both --tls-cert and --tls-key");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--tls-key", "/etc/gda/key.pem"}))
                .isInstanceOf(CommandLine.InvalidArgumentException.class).hasMessage("HTTPS needs both --tls-cert and --tls-key");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--tls-cert"})).hasMessageContaining("needs a value");
    }

    @Test
    void etcdTlsFlagsAreNamedAsEtcdctlNamesThem() {
        var parsed = CommandLine.parse(new String[] {"-e", "10.0.0.1:2379", "--etcd-cacert", "/etc/etcd/ca.pem",
                "--etcd-cert=/etc/etcd/client.pem", "--etcd-key", "/etc/etcd/client-key.pem"});
        assertThat(parsed.springArgs()).containsExactly("--gda.etcd.endpoints=10.0.0.1:2379", "--gda.etcd.ca-file=/etc/etcd/ca.pem",
                "--gda.etcd.cert-file=/etc/etcd/client.pem", "--gda.etcd.key-file=/etc/etcd/client-key.pem");
        assertThat(CommandLine.parse(new String[] {"-e", "https://10.0.0.1:2379"}).springArgs())
                .containsExactly("--gda.etcd.endpoints=https://10.0.0.1:2379");
    }

    @Test
    void theEtcdClientCertificateNeedsItsKeyAndTheKeyItsCertificate() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--etcd-cert", "/etc/etcd/client.pem"}))
                .isInstanceOf(CommandLine.InvalidArgumentException.class).hasMessage("the etcd client certificate needs both --etcd-cert and --etcd-key");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--etcd-cacert", "/etc/etcd/ca.pem", "--etcd-key", "/etc/etcd/client-key.pem"}))
                .isInstanceOf(CommandLine.InvalidArgumentException.class).hasMessage("the etcd client certificate needs both --etcd-cert and --etcd-key");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--etcd-cacert"})).hasMessageContaining("needs a value");
    }

    @Test
    void helpNamesVersionCommitAndDefaults() {
        assertThat(CommandLine.parse(new String[] {"-h"}).help()).isTrue();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine.printHelp(new PrintStream(out, true, StandardCharsets.UTF_8), new BuildInfo("gpu-docker-api", "1.2.3", "abc1234", "2026-01-01T00:00:00Z"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(help).contains("gpu-docker-api 1.2.3", "commit abc1234", "2026-01-01T00:00:00Z",
                "0.0.0.0:2378", "127.0.0.1:2379", "40000-65535", "info", "--bind-roots",
                "--etcd-cacert <pem>", "--etcd-cert <pem> --etcd-key <pem>");
    }
}
