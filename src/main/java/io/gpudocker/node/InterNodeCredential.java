package io.gpudocker.node;

import io.gpudocker.api.Caller;
import io.gpudocker.recovery.StartRefusedException;
import io.gpudocker.store.Keys;
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
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How one node tells another who the caller of a forwarded call is, without sending the caller's token on: an
 * HMAC-SHA256 over the method, the URI, the caller, the sending and the receiving node, the time, a random nonce and
 * the body's hash, keyed by the secret every node shares ({@link ClusterSecret}, never kept in etcd): the operator's
 * ({@code gda.node.secret} or {@code secret-file}, at least {@link #MIN_SECRET_BYTES} bytes), or derived from the admin token.
 *
 * <p>A captured call cannot be run again: the receiver refuses a signature naming another node, one further than
 * {@link #MAX_SKEW} from its own clock, and a nonce it already accepted (kept for as long as the signature could pass).
 */
public class InterNodeCredential {
    public static final String NODE = "X-GDA-Node";
    public static final String RECEIVER = "X-GDA-Receiver";
    public static final String CALLER = "X-GDA-Caller";
    public static final String ADMIN = "X-GDA-Caller-Admin";
    public static final String TIME = "X-GDA-Time";
    public static final String NONCE = "X-GDA-Nonce";
    public static final String SIGNATURE = "X-GDA-Signature";
    /** Set on a request whose forwarded signature held: it runs here and is never forwarded again. */
    public static final String FORWARDED_BY = InterNodeCredential.class.getName() + ".forwardedBy";
    /** How far apart the sender's and the receiver's clocks may be (and how long a signature lives). */
    public static final Duration MAX_SKEW = Duration.ofSeconds(30);
    /** A shorter operator secret could be guessed offline from one captured call. */
    public static final int MIN_SECRET_BYTES = 32;
    /** Forwarded calls remembered at once: more than a node forwards in two windows at any sane rate. */
    static final int NONCE_CAPACITY = 200_000;

    private final ClusterSecret secret;
    private final Keys keys;
    private final Clock clock;
    private final SeenNonces seen;
    private final SecureRandom random = new SecureRandom();
    /** An HMAC keyed with the secret, copied for each use: looking the algorithm up and keying it again cost more than the MAC. */
    private volatile Mac keyed;

    public InterNodeCredential(ClusterSecret secret, Keys keys, Clock clock) {
        this(secret, keys, clock, NONCE_CAPACITY);
    }

    InterNodeCredential(ClusterSecret secret, Keys keys, Clock clock, int nonceCapacity) {
        this.secret = secret;
        this.keys = keys;
        this.clock = clock;
        // a signature passes within MAX_SKEW either side of its time, so from its arrival it may pass for twice that
        this.seen = new SeenNonces(clock, MAX_SKEW.multipliedBy(2), nonceCapacity);
    }

    /** The configured secret: {@code secret} itself, else the first line of {@code secretFile}, else null; a short one refuses the start. */
    public static String configured(String secret, String secretFile) {
        String found = null;
        String from = null;
        if (secret != null && !secret.isBlank()) {
            found = secret.trim();
            from = "gda.node.secret";
        } else if (secretFile != null && !secretFile.isBlank()) {
            try {
                found = Files.readString(Path.of(secretFile)).lines().findFirst().orElseThrow().trim();
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("gda.node.secret-file " + secretFile + " cannot be read: " + e.getMessage(), e);
            }
            from = "gda.node.secret-file " + secretFile;
        }
        if (found != null && found.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new StartRefusedException("the cluster secret from " + from + " is shorter than " + MIN_SECRET_BYTES + " bytes",
                    "give every node the same secret of at least " + MIN_SECRET_BYTES + " random bytes (e.g. `openssl rand -base64 48`), "
                            + "or set none to derive one from the admin token (GDA_ADMIN_TOKEN, the same on every node)");
        }
        return found;
    }

    /** The headers of a call {@code sender} forwards to {@code receiver}, given its target URI and body. */
    public Map<String, String> sign(String method, String uri, Caller caller, String sender, String receiver, byte[] body) {
        String time = Long.toString(clock.millis());
        byte[] n = new byte[18];
        random.nextBytes(n);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(n);
        return Map.of(NODE, sender, RECEIVER, receiver, CALLER, caller.name(), ADMIN, Boolean.toString(caller.admin()), TIME, time,
                NONCE, nonce, SIGNATURE, mac(method, uri, caller.name(), caller.admin(), sender, receiver, time, nonce, body));
    }

    /** What the check of a forwarded call found: its caller, or why it is refused. */
    public record Verdict(Caller caller, String refusal) {
        static Verdict refused(String why) { return new Verdict(null, why); }

        public boolean accepted() { return caller != null; }
    }

    /**
     * The caller a forwarded call carries, if its signature holds, names this node, is fresh and was not seen before;
     * {@code header} reads the call's headers. Only a call whose signature holds takes a place among the seen nonces.
     */
    public Verdict verify(String method, String uri, Function<String, String> header, byte[] body) {
        String sender = header.apply(NODE);
        String receiver = header.apply(RECEIVER);
        String caller = header.apply(CALLER);
        String admin = header.apply(ADMIN);
        String time = header.apply(TIME);
        String nonce = header.apply(NONCE);
        String signature = header.apply(SIGNATURE);
        if (sender == null || receiver == null || caller == null || admin == null || time == null || nonce == null || signature == null) {
            return Verdict.refused("the forwarded call lacks some of its signed headers (a node of another version?)");
        }
        if (!receiver.equals(keys.node())) {
            return Verdict.refused("the forwarded call was signed for node '" + receiver + "', not for this node");
        }
        long sent;
        try {
            sent = Long.parseLong(time);
        } catch (NumberFormatException e) {
            return Verdict.refused("the forwarded call's time is not a number");
        }
        if (Math.abs(clock.millis() - sent) > MAX_SKEW.toMillis()) {
            return Verdict.refused("the forwarded call's signature is stale (older than " + MAX_SKEW.toSeconds()
                    + " s, or the nodes' clocks are further apart than that)");
        }
        boolean isAdmin = Boolean.parseBoolean(admin);
        String expected = mac(method, uri, caller, isAdmin, sender, receiver, time, nonce, body);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8))) {
            return Verdict.refused("the forwarded call's node signature does not hold (do the nodes share one cluster secret?)");
        }
        return switch (seen.admit(nonce)) {
            case REPLAYED -> Verdict.refused("the forwarded call was already run once (a replay)");
            case FULL -> Verdict.refused("too many forwarded calls within " + MAX_SKEW.multipliedBy(2).toSeconds() + " s; retry shortly");
            case FIRST -> new Verdict(isAdmin && Caller.ADMIN_NAME.equals(caller) ? Caller.ADMIN : new Caller(caller, isAdmin), null);
        };
    }

    int noncesHeld() { return seen.size(); }

    /**
     * A tag over {@code text} for {@code purpose} that only a holder of the cluster's secret can make (hex,
     * 128 bits): what lets a node check that a terminal ticket came from a node of this cluster.
     */
    public String tag(String purpose, String text) {
        try {
            Mac mac = mac();
            byte[] full = mac.doFinal((purpose + "\n" + text).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(full, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private String mac(String method, String uri, String caller, boolean admin, String sender, String receiver, String time, String nonce,
                       byte[] body) {
        try {
            Mac mac = mac();
            String text = String.join("\n", method, uri, caller, Boolean.toString(admin), sender, receiver, time, nonce, bodyHash(body));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** The hex SHA-256 of a body; most forwarded calls (the reads) have none, whose hash is known. */
    static String bodyHash(byte[] body) throws GeneralSecurityException {
        return body.length == 0 ? EMPTY_BODY_HASH : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    }

    private static final String EMPTY_BODY_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /** A fresh HMAC-SHA256 keyed with the cluster's secret (a Mac is not safe to share between threads). */
    private Mac mac() throws GeneralSecurityException {
        Mac k = keyed;
        if (k == null) {
            k = Mac.getInstance("HmacSHA256");
            k.init(new SecretKeySpec(secret(), "HmacSHA256"));
            keyed = k;
        }
        try {
            return (Mac) k.clone();
        } catch (CloneNotSupportedException e) {
            Mac mac = Mac.getInstance(k.getAlgorithm(), k.getProvider());
            mac.init(new SecretKeySpec(secret(), "HmacSHA256"));
            return mac;
        }
    }

    private byte[] secret() { return secret.bytes(); }
}
