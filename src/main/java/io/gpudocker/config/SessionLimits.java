package io.gpudocker.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What one tenant may hold open at once, each holding a Docker exec and a worker: terminals (one that carried
 * nothing either way for {@code terminalIdleTimeout} is closed) and {@code execute} calls still running. The admin
 * has its own, larger caps ({@code admin*}), so a runaway admin script cannot exhaust the host either.
 * Terminals relayed to another node hold a socket to that node each: at most {@code maxRelays} at once.
 */
@ConfigurationProperties("gda.sessions")
public record SessionLimits(
        @DefaultValue("4") int terminalsPerTenant,
        @DefaultValue("16") int adminTerminals,
        @DefaultValue("30m") Duration terminalIdleTimeout,
        @DefaultValue("4") int executesPerTenant,
        @DefaultValue("16") int adminExecutes,
        @DefaultValue("64") int maxRelays) {
    public SessionLimits {
        if (terminalsPerTenant < 1 || adminTerminals < 1 || executesPerTenant < 1 || adminExecutes < 1 || maxRelays < 1) {
            throw new IllegalArgumentException("gda.sessions caps must be at least 1");
        }
        if (terminalIdleTimeout.isNegative() || terminalIdleTimeout.isZero()) {
            throw new IllegalArgumentException("gda.sessions.terminal-idle-timeout must be positive");
        }
    }

    /** The cap on terminals for {@code admin} or a tenant. */
    public int terminals(boolean admin) {
        return admin ? adminTerminals : terminalsPerTenant;
    }

    public int executes(boolean admin) {
        return admin ? adminExecutes : executesPerTenant;
    }
}
