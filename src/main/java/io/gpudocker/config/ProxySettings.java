package io.gpudocker.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The port proxy {@code /proxy/{name}/{port}/...} ({@code gda.proxy.*}).
 *
 * @param requestsPerTenant requests and WebSockets a tenant has in flight at once through the proxy
 * @param idleTimeout       a proxied exchange (a WebSocket, a long download) that carried nothing this long is cut
 * @param cookieLifetime    how long the console's proxy cookie lets a browser tab in
 */
@ConfigurationProperties("gda.proxy")
public record ProxySettings(
        @DefaultValue("32") int requestsPerTenant,
        @DefaultValue("128") int adminRequests,
        @DefaultValue("30m") Duration idleTimeout,
        @DefaultValue("1h") Duration cookieLifetime) {
    public ProxySettings {
        if (requestsPerTenant < 1 || adminRequests < 1) {
            throw new IllegalArgumentException("gda.proxy caps must be at least 1");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || cookieLifetime.isNegative() || cookieLifetime.isZero()) {
            throw new IllegalArgumentException("gda.proxy.idle-timeout and cookie-lifetime must be positive");
        }
    }
}
