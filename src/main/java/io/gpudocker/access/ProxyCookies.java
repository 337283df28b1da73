package io.gpudocker.access;

import io.gpudocker.api.Caller;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The browser's pass to one instance's proxied apps: a browser cannot put a bearer header on a link or on the requests
 * a web app makes, so the console trades its token for a cookie. The cookie names one instance and its caller, expires
 * soon, is signed with a key only this process holds (a restart signs the console in again), and is sent by the browser
 * only under {@code /proxy/{name}/}: an app of one instance never receives a pass to another's.
 */
public class ProxyCookies {
    public static final String NAME = "gda_proxy";

    private final byte[] key = new byte[32];
    private final Duration lifetime;
    private final Clock clock;

    public ProxyCookies(Duration lifetime, Clock clock) {
        new SecureRandom().nextBytes(key);
        this.lifetime = lifetime;
        this.clock = clock;
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** The cookie's value for {@code caller} on instance {@code name}. */
    public String issue(String name, Caller caller) {
        long expires = clock.instant().plus(lifetime).getEpochSecond();
        String payload = name + "|" + caller.name() + "|" + (caller.admin() ? "a" : "t") + "|" + expires;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + sign(payload);
    }

    /** The caller a cookie lets in to instance {@code name}: none where it is forged, expired or names another instance. */
    public Optional<Caller> caller(String cookie, String name) {
        if (cookie == null) {
            return Optional.empty();
        }
        int dot = cookie.indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String payload;
        try {
            payload = new String(Base64.getUrlDecoder().decode(cookie.substring(0, dot)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(sign(payload).getBytes(StandardCharsets.US_ASCII), cookie.substring(dot + 1).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        String[] parts = payload.split("\\|");
        if (parts.length != 4 || !parts[0].equals(name)) {
            return Optional.empty();
        }
        try {
            if (Long.parseLong(parts[3]) <= clock.instant().getEpochSecond()) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of("a".equals(parts[2]) ? new Caller(parts[1], true) : Caller.tenant(parts[1]));
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
