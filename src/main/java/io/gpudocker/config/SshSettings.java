package io.gpudocker.config;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The SSH gateway ({@code gda.ssh.*}; the address also as {@code --ssh-addr}). A shell, command or SFTP session through
 * it holds one of the tenant's terminal slots ({@code gda.sessions.terminals-per-tenant} and the terminals quota);
 * forwarded connections ({@code ssh -L}) have a cap of their own. A connection that carried nothing for
 * {@code idleTimeout} is closed.
 *
 * @param enabled           false: no gateway, no port opened
 * @param addr              host:port the gateway listens on; port 0 picks a free one (tests)
 * @param forwardsPerTenant forwarded connections a tenant holds open at once
 * @param ciphers           the ciphers offered, by their SSH names; a client takes the first of its own list that is
 *                          here. AES (GCM, then CTR) only by default: the JVM runs AES on the processor's AES
 *                          instructions, ChaCha20-Poly1305 in plain Java at a quarter of AES-GCM's speed, and OpenSSH,
 *                          which lists ChaCha20 first, would take it for every copy
 */
@ConfigurationProperties("gda.ssh")
public record SshSettings(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("0.0.0.0:2222") String addr,
        @DefaultValue("30m") Duration idleTimeout,
        @DefaultValue("16") int forwardsPerTenant,
        @DefaultValue("64") int adminForwards,
        @DefaultValue({"aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr"}) List<String> ciphers) {
    public SshSettings {
        if (forwardsPerTenant < 1 || adminForwards < 1) {
            throw new IllegalArgumentException("gda.ssh caps must be at least 1");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("gda.ssh.idle-timeout must be positive");
        }
        if (ciphers.isEmpty()) {
            throw new IllegalArgumentException("gda.ssh.ciphers must name at least one cipher");
        }
        ciphers = List.copyOf(ciphers);
        int colon = addr.lastIndexOf(':');
        int port;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(addr.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("gda.ssh.addr must be host:port with a port from 0 to 65535, not '" + addr + "'");
        }
    }

    public String host() {
        String host = addr.substring(0, addr.lastIndexOf(':'));
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    public int port() {
        return Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
    }
}
