package io.gpudocker.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Tenants' quotas: whether they are counted and checked at all, and the quota of a tenant the admin gave none of its
 * own (every tenant, until then). Each default unset: no limit. Every node of a cluster must be given the same
 * defaults, as every node checks the takes it records.
 */
@ConfigurationProperties("gda.quota")
public record QuotaSettings(@DefaultValue("true") boolean enabled, Long gpus, Long instances, Long volumes, DataSize volumeSize, Long cores,
                            DataSize memory, Long executes, Long terminals, Long images) {
    public QuotaSettings {
        for (Long n : new Long[] {gpus, instances, volumes, cores, executes, terminals, images}) {
            if (n != null && n < 0) {
                throw new IllegalArgumentException("gda.quota defaults must not be negative");
            }
        }
        if (volumeSize != null && volumeSize.isNegative() || memory != null && memory.isNegative()) {
            throw new IllegalArgumentException("gda.quota defaults must not be negative");
        }
    }

    public static final QuotaSettings NONE = new QuotaSettings(true, null, null, null, null, null, null, null, null, null);
}
