package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ByteSizes;
import io.gpudocker.config.ComputeLimits;
import org.springframework.util.unit.DataSize;

/**
 * The operator's shares are a floor of isolation, not a suggestion: a tenant's version may not ask for more cores,
 * memory or shared memory than its ceiling ({@link ComputeLimits}), nor for none (unpinned, no memory limit) where
 * a ceiling applies, unless the operator allows it. Checked on what the version would get (its ask or the default
 * share), before anything is reserved. The admin is not bound.
 */
public class TenantCeilings {
    /** The request fields a violation is named after. */
    public record Fields(String cpus, String memory, String shm) {
        public static final Fields CREATE = new Fields("cpuCount", "memory", "shmSize");
        public static final Fields PATCH = new Fields("cpuPatch.cpuCount", "memoryPatch.memory", "shmSize");
    }

    /** No ceilings at all: the shares are none and nothing is configured. */
    public static final TenantCeilings NONE = new TenantCeilings(ComputeDefaults.NONE, ComputeLimits.DERIVED);

    private final ComputeDefaults shares;
    private final ComputeLimits limits;

    public TenantCeilings(ComputeDefaults shares, ComputeLimits limits) {
        this.shares = shares;
        this.limits = limits;
    }

    /** Refuses (1084, naming the field) a tenant's spec that is above a ceiling or unlimited where that is not allowed. */
    public void check(ReplicaSetSpec spec, Caller caller, Fields fields) {
        if (caller.admin()) {
            return;
        }
        int g = spec.gpuCount();
        Integer maxCpus = limits.tenantMaxCpus();
        long cpuShare = share(shares.cpusPerGpu(), shares.cpusWithoutGpu(), g);
        long cpuCeiling = maxCpus != null ? maxCpus : ceiling(cpuShare, shares.cpusPerGpu(), g);
        DataSize maxMemory = limits.tenantMaxMemory();
        long memoryShare = share(shares.memoryPerGpu(), shares.memoryWithoutGpu(), g);
        long memoryCeiling = maxMemory != null ? maxMemory.toBytes() : ceiling(memoryShare, shares.memoryPerGpu(), g);
        DataSize shmLimit = limits.tenantMaxShmSize();
        long shmCeiling = shmLimit != null ? shmLimit.toBytes() : memoryCeiling;
        // none is an opt-out wherever a ceiling applies, a cardless instance's one-GPU ceiling too: going cardless
        // must not be the way around the per-GPU shares
        boolean cpusRequired = cpuCeiling > 0 && !limits.tenantUnlimited();
        boolean memoryRequired = memoryCeiling > 0 && !limits.tenantUnlimited();
        int cpus = shares.cpus(spec);
        long memory = shares.memory(spec);
        if (cpus == 0 && cpusRequired) {
            throw refusal(fields.cpus(), "unpinned cores (cpuCount 0) are not allowed for a tenant here; ask for 1 to %d cores "
                    + "(gda.compute.tenant-max-cpus or the default share)", cpuCeiling);
        }
        if (cpuCeiling > 0 && cpus > cpuCeiling) {
            throw refusal(fields.cpus(), "cpuCount %d is above the %d core(s) a tenant's instance with %d GPU(s) may have "
                    + "(gda.compute.tenant-max-cpus or the default share)", cpus, cpuCeiling, g);
        }
        if (memory == 0 && memoryRequired) {
            throw refusal(fields.memory(), "no memory limit (memory \"0\") is not allowed for a tenant here; ask for at most %s "
                    + "(gda.compute.tenant-max-memory or the default share)", ByteSizes.format(memoryCeiling));
        }
        if (memoryCeiling > 0 && memory > memoryCeiling) {
            throw refusal(fields.memory(), "memory %s is above the %s a tenant's instance with %d GPU(s) may have "
                    + "(gda.compute.tenant-max-memory or the default share)", ByteSizes.format(memory), ByteSizes.format(memoryCeiling), g);
        }
        long shm = shares.shmSize(spec);
        if (shmCeiling > 0 && shm > shmCeiling) {
            throw refusal(fields.shm(), "shmSize %s is above the %s a tenant's instance may have (gda.compute.tenant-max-shm-size, "
                    + "else its memory ceiling)", ByteSizes.format(shm), ByteSizes.format(shmCeiling));
        }
    }

    /** A cardless instance with no share of its own may have no more than one GPU's share, and not none. */
    private static long ceiling(long share, long perGpu, int gpus) {
        return share > 0 ? share : gpus == 0 ? perGpu : 0;
    }

    /** The default share for {@code gpus} GPU(s); 0 where the operator configured none. */
    private static long share(long perGpu, long withoutGpu, int gpus) {
        return gpus > 0 ? perGpu * gpus : withoutGpu;
    }

    private static ApiException refusal(String field, String format, Object... args) {
        return ApiException.of(ErrorCode.ABOVE_TENANT_CEILING, format, args).onField(field);
    }
}
