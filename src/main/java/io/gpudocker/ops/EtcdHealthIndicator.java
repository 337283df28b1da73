package io.gpudocker.ops;

import io.gpudocker.config.GdaProperties;
import io.gpudocker.store.KeyValueStore;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * etcd: UP when a read under the prefix answers within the store's timeout, DOWN naming the endpoints otherwise;
 * with whether the client speaks TLS and presents a client certificate.
 */
@Component("etcd")
public class EtcdHealthIndicator implements HealthIndicator {
    private final KeyValueStore store;
    private final GdaProperties props;

    public EtcdHealthIndicator(KeyValueStore store, GdaProperties props) {
        this.store = store;
        this.props = props;
    }

    @Override
    public Health health() {
        Health.Builder builder;
        try {
            store.ping();
            builder = Health.up();
        } catch (RuntimeException e) {
            builder = Health.down().withDetail("error", e.getMessage());
        }
        return builder.withDetail("endpoints", String.join(",", props.etcd().endpoints()))
                .withDetail("prefix", props.etcd().prefix())
                .withDetail("tls", props.etcd().tls())
                .withDetail("clientCertificate", props.etcd().certFile() != null)
                .build();
    }
}
