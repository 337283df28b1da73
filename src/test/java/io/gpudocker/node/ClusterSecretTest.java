package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.gpudocker.recovery.StartRefusedException;
import io.gpudocker.store.InMemoryKeyValueStore;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the key that signs calls between nodes comes from, and that etcd only ever holds what checks it. */
class ClusterSecretTest {
    private static final String TOKEN = "it-admin-token-0123456789abcdef";
    private static final String OPERATOR = "operator-secret-0123456789abcdef0123";
    private final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
    private final NodeDirectory directory = mock(NodeDirectory.class);

    private ClusterSecret node(String name, String configured, String adminToken) {
        return new ClusterSecret(store, new Keys("/p", name), configured, "gda.node.secret", adminToken, () -> "cluster-1", directory);
    }

    private void members(String... names) {
        Map<String, NodeMember> m = new java.util.TreeMap<>();
        for (String n : names) {
            m.put(n, new NodeMember(n, "http://" + n + ":2378", java.time.Instant.EPOCH, false));
        }
        when(directory.members()).thenReturn(m);
    }

    private void live(String... names) {
        Map<String, NodeStatus> m = new java.util.TreeMap<>();
        for (String n : names) {
            m.put(n, mock(NodeStatus.class));
        }
        when(directory.live()).thenReturn(m);
    }

    @Test
    void hkdfIsRfc5869() {
        // RFC 5869 test case 1, the first 32 bytes of its output key material
        byte[] okm = ClusterSecret.hkdf(HexFormat.of().parseHex("000102030405060708090a0b0c"), HexFormat.of().parseHex("0b".repeat(22)),
                HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9"));
        assertThat(HexFormat.of().formatHex(okm)).isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
    }

    @Test
    void theDerivedSecretDependsOnTheAdminTokenAndTheClusterId() {
        byte[] secret = ClusterSecret.derive(TOKEN, "cluster-1");
        assertThat(secret).hasSize(32).isEqualTo(ClusterSecret.derive(TOKEN, "cluster-1"));
        assertThat(secret).isNotEqualTo(ClusterSecret.derive(TOKEN + "x", "cluster-1"));
        assertThat(secret).isNotEqualTo(ClusterSecret.derive(TOKEN, "cluster-2"));
        assertThat(new String(secret, StandardCharsets.ISO_8859_1)).doesNotContain(TOKEN);
        assertThat(ClusterSecret.verifier(secret)).isNotEqualTo(HexFormat.of().formatHex(secret))
                .isNotEqualTo(ClusterSecret.verifier(ClusterSecret.derive(TOKEN + "x", "cluster-1")));
    }

    @Test
    void theOperatorsSecretComesFirstThenTheAdminToken() {
        members("a");
        live("a");
        assertThat(node("a", OPERATOR, TOKEN).bytes()).isEqualTo(OPERATOR.getBytes(StandardCharsets.UTF_8));
        assertThat(node("a", null, TOKEN).bytes()).isEqualTo(ClusterSecret.derive(TOKEN, "cluster-1"));
    }

    @Test
    void etcdHoldsOnlyTheVerifierNeverTheSecret() {
        members("a", "b");
        live("a");
        ClusterSecret a = node("a", null, TOKEN);
        a.verify();
        byte[] secret = a.bytes();
        assertThat(store.list("/")).hasSize(1);
        for (KeyValue kv : store.list("/")) {
            assertThat(kv.value()).doesNotContain(Base64.getEncoder().encodeToString(secret)).doesNotContain(HexFormat.of().formatHex(secret))
                    .doesNotContain(TOKEN).contains(ClusterSecret.verifier(secret));
        }
        live("a", "b");
        node("b", null, TOKEN).verify();
        assertThat(store.list("/")).hasSize(1);
    }

    @Test
    void aNodeWhoseSecretDiffersFromTheRunningNodesRefusesToStart() {
        members("a", "b");
        live("a");
        node("a", null, TOKEN).verify();
        live("a", "b");
        assertThatThrownBy(() -> node("b", null, TOKEN + "-other").verify()).isInstanceOf(StartRefusedException.class)
                .hasMessageContaining("differs from the one the running nodes sign with").hasMessageContaining("node 'a' is up");
        assertThatThrownBy(() -> node("b", OPERATOR, TOKEN).verify()).isInstanceOf(StartRefusedException.class);
    }

    @Test
    void withNoOtherNodeUpAChangedSecretBecomesTheClusters() {
        members("a", "b");
        live("a");
        node("a", null, TOKEN).verify();
        live("b");
        node("b", OPERATOR, null).verify();
        assertThat(store.get(new Keys("/p", "b").clusterSecretVerifier()).orElseThrow().value())
                .contains(ClusterSecret.verifier(OPERATOR.getBytes(StandardCharsets.UTF_8)));
        live("a", "b");
        assertThatThrownBy(() -> node("a", null, TOKEN).verify()).isInstanceOf(StartRefusedException.class);
    }

    @Test
    void withNeitherSecretNorAdminTokenANodeAloneGetsARandomOneAndASecondNodeRefusesToStart() {
        members("a");
        live("a");
        ClusterSecret alone = node("a", null, null);
        alone.verify();
        assertThat(alone.bytes()).hasSize(32).isNotEqualTo(node("a", null, null).bytes());
        members("a", "b");
        assertThatThrownBy(() -> node("b", null, null).verify()).isInstanceOf(StartRefusedException.class)
                .hasMessageContaining("shares etcd with node 'a'").hasMessageContaining("GDA_ADMIN_TOKEN");
    }

    @Test
    void theSecretOlderVersionsKeptInEtcdIsDeleted() {
        Keys keys = new Keys("/p", "a");
        store.commit(new Txn().put(keys.clusterSecret(), Base64.getEncoder().encodeToString(new byte[32])));
        members("a");
        live("a");
        node("a", null, TOKEN).verify();
        assertThat(store.get(keys.clusterSecret())).isEmpty();
    }
}
