package io.gpudocker.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * What a tenant's instance may ask for at most, whatever its request says; the admin is not bound. Each ceiling,
 * where unset, is the operator's default share for the instance's GPU count ({@code gda.resources.cpus-per-gpu}
 * and the others), so a share the operator configured cannot be opted out of by asking for more or for none;
 * unset with no share configured: no ceiling. 0 sets no ceiling on purpose.
 *
 * @param tenantMaxCpus    cores one instance of a tenant may ask for
 * @param tenantMaxMemory  memory limit one instance of a tenant may ask for
 * @param tenantMaxShmSize /dev/shm one instance of a tenant may ask for; unset: its memory ceiling
 * @param tenantUnlimited  whether a tenant may ask for unpinned cores ({@code cpuCount 0}) or no memory limit
 *                         ({@code "memory": "0"}) where a ceiling applies
 */
@ConfigurationProperties("gda.compute")
public record ComputeLimits(Integer tenantMaxCpus, DataSize tenantMaxMemory, DataSize tenantMaxShmSize,
                            @DefaultValue("false") boolean tenantUnlimited) {
    public ComputeLimits {
        if ((tenantMaxCpus != null && tenantMaxCpus < 0) || (tenantMaxMemory != null && tenantMaxMemory.isNegative())
                || (tenantMaxShmSize != null && tenantMaxShmSize.isNegative())) {
            throw new IllegalArgumentException("gda.compute tenant ceilings must not be negative");
        }
    }

    public static final ComputeLimits DERIVED = new ComputeLimits(null, null, null, false);
}
