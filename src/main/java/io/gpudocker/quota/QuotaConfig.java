package io.gpudocker.quota;

import io.gpudocker.config.QuotaSettings;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.store.NodeLease;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/** Wires tenants' quotas onto the store; the features that hold resources register their counts with these. */
@Configuration(proxyBeanMethods = false)
public class QuotaConfig {

    @Bean
    QuotaLedger quotaLedger(KeyValueStore store, Keys keys, QuotaSettings settings) {
        return new QuotaLedger(store, keys, defaults(settings));
    }

    @Bean
    TenantHolds tenantHolds(KeyValueStore store, Keys keys, NodeLease lease) {
        return new TenantHolds(store, keys, lease);
    }

    @Bean
    Quotas quotas(QuotaLedger ledger, QuotaSettings settings, TenantHolds holds) {
        return new Quotas(ledger, settings.enabled(), holds);
    }

    static Quota defaults(QuotaSettings s) {
        return new Quota(s.gpus(), s.instances(), s.volumes(), bytes(s.volumeSize()), s.cores(), bytes(s.memory()), s.executes(), s.terminals(),
                s.images());
    }

    private static Long bytes(DataSize size) {
        return size == null ? null : size.toBytes();
    }
}
