package io.gpudocker.node;

import io.gpudocker.recovery.StartRefusedException;
import io.gpudocker.replicaset.StartupCheck;
import io.gpudocker.store.Json;
import io.gpudocker.store.KeyValue;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;

/**
 * The key every node signs forwarded calls with, which is never in etcd: whoever reads etcd must not be able to call a
 * node as any caller. It is, in this order: the operator's {@code gda.node.secret(-file)}; else derived (HKDF-SHA256) from
 * the admin token every node is given anyway, with the cluster id as salt; else, for a node alone in its etcd, a random one
 * that lives as long as the process. Several nodes with neither refuse to start.
 *
 * <p>etcd holds only a verifier (an HMAC of a fixed text under the secret): a node whose secret differs from the running
 * nodes' refuses to start, naming what to set, rather than failing every forwarded call later. The plain secret older
 * versions generated into etcd ({@code cluster-secret}) is deleted at start.
 */
public class ClusterSecret implements StartupCheck, Ordered {
    private static final Logger log = LoggerFactory.getLogger(ClusterSecret.class);
    private static final String HKDF_INFO = "gpu-docker-api inter-node secret v1";
    private static final String VERIFIER_TEXT = "gpu-docker-api cluster secret verifier v1";
    static final String FROM_ADMIN_TOKEN = "derived from the admin token";
    static final String RANDOM = "random, this process only";

    /** What etcd holds about the secret: who can check it, never the secret. */
    record Verifier(String verifier, String source, String node, Instant since) {}

    private final KeyValueStore store;
    private final Keys keys;
    private final String configured;
    private final String configuredFrom;
    private final String adminToken;
    private final Supplier<String> clusterId;
    private final NodeDirectory directory;
    private volatile byte[] secret;
    private volatile String source;

    /**
     * @param configured the operator's secret (already checked for length), or null
     * @param configuredFrom the setting it came from, for messages
     * @param adminToken the admin token the operator configured (not a generated one: the other nodes do not have that), or null
     * @param clusterId the deployment's id, known once the start-up guard confirmed it
     */
    public ClusterSecret(KeyValueStore store, Keys keys, String configured, String configuredFrom, String adminToken, Supplier<String> clusterId,
                         NodeDirectory directory) {
        this.store = store;
        this.keys = keys;
        this.configured = configured;
        this.configuredFrom = configuredFrom;
        this.adminToken = adminToken;
        this.clusterId = clusterId;
        this.directory = directory;
    }

    /** A fixed secret, checked against nothing: for one process's tests, or a tool that knows the secret. */
    public static ClusterSecret of(byte[] secret) {
        ClusterSecret fixed = new ClusterSecret(null, null, null, null, null, null, null);
        fixed.secret = secret.clone();
        fixed.source = "given";
        return fixed;
    }

    /** Once the cluster id is confirmed, and before the node registers: a start refused here leaves no entry of the node behind. */
    @Override
    public int getOrder() { return NodePresence.ORDER - 1; }

    @Override
    public void verify() {
        bytes();
        if (store == null) {
            return;
        }
        checkVerifier();
        removeLegacySecret();
    }

    /** The secret, resolved on first use. */
    byte[] bytes() {
        byte[] s = secret;
        if (s == null) {
            s = resolve();
            secret = s;
        }
        return s;
    }

    /** Where the secret comes from, for messages. */
    String source() {
        bytes();
        return source;
    }

    private synchronized byte[] resolve() {
        if (secret != null) {
            return secret;
        }
        if (configured != null) {
            source = configuredFrom;
            return configured.getBytes(StandardCharsets.UTF_8);
        }
        if (adminToken != null) {
            source = FROM_ADMIN_TOKEN;
            return derive(adminToken, clusterId.get());
        }
        Optional<String> other = directory.members().keySet().stream().filter(n -> !n.equals(keys.node())).findFirst();
        if (other.isPresent()) {
            throw new StartRefusedException("this node shares etcd with node '" + other.get() + "' but has no cluster secret to sign calls between "
                    + "nodes with: neither gda.node.secret(-file) nor an admin token (GDA_ADMIN_TOKEN / --admin-token-file) is configured",
                    "give every node the same gda.node.secret-file (at least " + InterNodeCredential.MIN_SECRET_BYTES
                            + " random bytes, e.g. `openssl rand -base64 48`) or the same GDA_ADMIN_TOKEN; the secret is never kept in etcd");
        }
        // a node alone forwards to nobody; its terminal tickets live shorter than the process anyway
        source = RANDOM;
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        log.info("cluster secret: none configured and no other node shares this etcd; a random one signs this process's terminal tickets. "
                + "Before a second node joins, give every node the same gda.node.secret-file or GDA_ADMIN_TOKEN");
        return fresh;
    }

    /** HKDF-SHA256 (RFC 5869) of the admin token, salted with the cluster id: 32 bytes no one derives without the token. */
    public static byte[] derive(String adminToken, String clusterId) {
        return hkdf(clusterId.getBytes(StandardCharsets.UTF_8), adminToken.getBytes(StandardCharsets.UTF_8), HKDF_INFO.getBytes(StandardCharsets.UTF_8));
    }

    /** HKDF-SHA256's extract and first expand block: 32 bytes of output key material. */
    static byte[] hkdf(byte[] salt, byte[] inputKey, byte[] info) {
        byte[] prk = hmac(salt, inputKey);
        byte[] block = new byte[info.length + 1];
        System.arraycopy(info, 0, block, 0, info.length);
        block[info.length] = 1;
        return hmac(prk, block);
    }

    /** What etcd may hold: it tells whether two nodes have the same secret, and nothing that signs a call. */
    public static String verifier(byte[] secret) {
        return HexFormat.of().formatHex(hmac(secret, VERIFIER_TEXT.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Publishes this node's verifier when etcd has none. A different one is refused while another node is up (it signs with
     * that secret); with no other node up, the operator changed the secret on every node and this node's becomes the cluster's.
     */
    private void checkVerifier() {
        String key = keys.clusterSecretVerifier();
        Verifier mine = new Verifier(verifier(secret), source, keys.node(), Instant.now());
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<KeyValue> held = store.get(key);
            if (held.isEmpty()) {
                if (store.commit(new Txn().requireAbsent(key).put(key, Json.write(mine)))) {
                    log.info("cluster secret ({}): its verifier published to etcd", source);
                    return;
                }
                continue;
            }
            Verifier theirs = Json.read(held.get().value(), Verifier.class);
            if (MessageDigest.isEqual(theirs.verifier().getBytes(StandardCharsets.UTF_8), mine.verifier().getBytes(StandardCharsets.UTF_8))) {
                log.info("cluster secret ({}): the same as the cluster's", source);
                return;
            }
            Optional<String> up = directory.live().keySet().stream().filter(n -> !n.equals(keys.node())).findFirst();
            if (up.isPresent()) {
                throw new StartRefusedException("this node's cluster secret (" + source + ") differs from the one the running nodes sign with "
                        + "(node '" + up.get() + "' is up; the cluster's was published by node '" + theirs.node() + "', " + theirs.source() + ", "
                        + theirs.since() + "): calls between them would all be refused",
                        "give this node the same gda.node.secret-file as the others, or, when the secret comes from the admin token, "
                                + "the same GDA_ADMIN_TOKEN; to change the secret, stop every node and start them all with the new one");
            }
            if (store.commit(new Txn().requireModRevision(key, held.get().modRevision()).put(key, Json.write(mine)))) {
                log.warn("cluster secret changed ({}; it was {}, published by node '{}'): no other node is up, so this one is now the cluster's; "
                        + "a node started with the old secret refuses to start", source, theirs.source(), theirs.node());
                return;
            }
        }
        throw new IllegalStateException("the cluster secret's verifier in etcd kept changing while this node checked it");
    }

    /** Older versions kept the secret itself in etcd: anyone who read it could sign calls, so it goes. */
    private void removeLegacySecret() {
        String key = keys.clusterSecret();
        if (store.get(key).isPresent()) {
            store.commit(new Txn().delete(key));
            log.warn("deleted {}: the cluster secret an older version generated into etcd (readable by whoever reads etcd). Nodes of that "
                    + "version still running sign with it, so forwarded calls between them and this version's nodes are refused until "
                    + "they are upgraded; give every node the same gda.node.secret-file or GDA_ADMIN_TOKEN (docs/cluster.md)", key);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
