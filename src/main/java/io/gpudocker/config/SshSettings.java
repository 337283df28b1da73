package io.gpudocker.config;

import java.time.Duration;
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
 */
@ConfigurationProperties("gda.ssh")
public record SshSettings(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("0.0.0.0:2222") String addr,
        @DefaultValue("30m") Duration idleTimeout,
        @DefaultValue("16") int forwardsPerTenant,
        @DefaultValue("64") int adminForwards) {
    public SshSettings {
        if (forwardsPerTenant < 1 || adminForwards < 1) {
            throw new IllegalArgumentException("gda.ssh caps must be at least 1");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("gda.ssh.idle-timeout must be positive");
        }
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
