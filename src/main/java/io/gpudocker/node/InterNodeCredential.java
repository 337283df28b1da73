package io.gpudocker.node;

import io.gpudocker.api.Caller;
import io.gpudocker.replicaset.StartupCheck;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.Txn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.core.Ordered;

/**
 * How one node tells another who the caller of a forwarded call is, without sending the caller's token on: an
 * HMAC-SHA256 over the method, the URI, the caller, the sending node, the time and the body's hash, keyed by a
 * secret every node shares. The secret is the operator's ({@code gda.node.secret} or {@code secret-file}) or else one
 * generated once into etcd (whoever can read etcd can already rewrite every record). A signature older than a minute is refused.
 */
public class InterNodeCredential implements StartupCheck, Ordered {
    public static final String NODE = "X-GDA-Node";
    public static final String CALLER = "X-GDA-Caller";
    public static final String ADMIN = "X-GDA-Caller-Admin";
    public static final String TIME = "X-GDA-Time";
    public static final String SIGNATURE = "X-GDA-Signature";
    /** Set on a request whose forwarded signature held: it runs here and is never forwarded again. */
    public static final String FORWARDED_BY = InterNodeCredential.class.getName() + ".forwardedBy";
    static final Duration MAX_AGE = Duration.ofSeconds(60);

    private final KeyValueStore store;
    private final Keys keys;
    private final String configured;
    private final Clock clock;
    private volatile byte[] secret;

    /** @param configured the operator's secret, or null to use (and first create) the one in etcd */
    public InterNodeCredential(KeyValueStore store, Keys keys, String configured, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.configured = configured;
        this.clock = clock;
    }

    /** The configured secret: {@code secret} itself, else the first line of {@code secretFile}, else null. */
    public static String configured(String secret, String secretFile) {
        if (secret != null && !secret.isBlank()) {
            return secret.trim();
        }
        if (secretFile != null && !secretFile.isBlank()) {
            try {
                return Files.readString(Path.of(secretFile)).lines().findFirst().orElseThrow().trim();
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("gda.node.secret-file " + secretFile + " cannot be read: " + e.getMessage(), e);
            }
        }
        return null;
    }

    @Override
    public int getOrder() { return NodePresence.ORDER + 1; }

    /** Loads (or first creates) the secret before serving, while the start waits for etcd anyway. */
    @Override
    public void verify() {
        secret();
    }

    /** The headers of a forwarded call, given its target URI and body. */
    public java.util.Map<String, String> sign(String method, String uri, Caller caller, String sender, byte[] body) {
        String time = Long.toString(clock.millis());
        return java.util.Map.of(NODE, sender, CALLER, caller.name(), ADMIN, Boolean.toString(caller.admin()), TIME, time,
                SIGNATURE, mac(method, uri, caller.name(), caller.admin(), sender, time, body));
    }

    /** The caller a forwarded call carries, if its signature holds and is fresh. */
    public Optional<Caller> verify(String method, String uri, String sender, String caller, String admin, String time, String signature, byte[] body) {
        if (sender == null || caller == null || admin == null || time == null || signature == null) {
            return Optional.empty();
        }
        long sent;
        try {
            sent = Long.parseLong(time);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (Math.abs(clock.millis() - sent) > MAX_AGE.toMillis()) {
            return Optional.empty();
        }
        boolean isAdmin = Boolean.parseBoolean(admin);
        String expected = mac(method, uri, caller, isAdmin, sender, time, body);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.of(isAdmin && Caller.ADMIN_NAME.equals(caller) ? Caller.ADMIN : new Caller(caller, isAdmin));
    }

    /**
     * A tag over {@code text} for {@code purpose} that only a holder of the cluster's secret can make (hex,
     * 128 bits): what lets a node check that a terminal ticket came from a node of this cluster.
     */
    public String tag(String purpose, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret(), "HmacSHA256"));
            byte[] full = mac.doFinal((purpose + "\n" + text).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(full, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private String mac(String method, String uri, String caller, boolean admin, String sender, String time, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret(), "HmacSHA256"));
            String text = String.join("\n", method, uri, caller, Boolean.toString(admin), sender, time,
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private byte[] secret() {
        byte[] s = secret;
        if (s == null) {
            s = configured != null ? configured.getBytes(StandardCharsets.UTF_8) : fromStore();
            secret = s;
        }
        return s;
    }

    private byte[] fromStore() {
        String key = keys.clusterSecret();
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        // the first node writes it; the others (and later starts) read what is there
        store.commit(new Txn().requireAbsent(key).put(key, Base64.getEncoder().encodeToString(fresh)));
        return Base64.getDecoder().decode(store.get(key).orElseThrow(() -> new IllegalStateException("the cluster secret vanished from etcd")).value());
    }
}
