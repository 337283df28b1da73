package io.gpudocker.replicaset;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.validation.ContainerPortsValidator;
import io.gpudocker.api.validation.GpuCountValidator;
import io.gpudocker.api.validation.Rejection;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.replicaset.bind.BindSpecValidator;
import io.gpudocker.replicaset.bind.DistinctDestsValidator;
import java.util.List;

/**
 * The checks a request annotation cannot make: the GPU count against this host, the binds a patch produces
 * as a whole, and the ports in their normal form. The rules themselves live in
 * {@code io.gpudocker.api.validation}, behind the annotations on the request records.
 */
public final class SpecValidator {

    private SpecValidator() {}

    /** The requested count, absent meaning 0, once it fits this host: only here, as it needs the host's GPU count. */
    public static int gpuCount(Integer count, int hostGpus) {
        Rejection.raise(GpuCountValidator.check(count), "gpuCount");
        int n = count == null ? 0 : count;
        if (n > hostGpus) {
            throw ApiException.of(ErrorCode.GPU_COUNT_INVALID, "gpuCount %d exceeds the %d GPU(s) this host has", n, hostGpus).onField("gpuCount");
        }
        return n;
    }

    /** Also for the binds a patch produces, which no request annotation sees as a whole. */
    public static void binds(List<Bind> binds) {
        List<Bind> all = binds == null ? List.of() : binds;
        for (int i = 0; i < all.size(); i++) {
            bind(all.get(i), "binds[" + i + "]");
        }
        Rejection.raise(DistinctDestsValidator.check(all), "binds");
    }

    private static void bind(Bind b, String field) {
        Rejection.raise(BindSpecValidator.check(b), field);
    }

    /** Normalises "22" to "22/tcp" and rejects anything that is not a port. */
    public static List<String> containerPorts(List<String> ports) {
        Rejection.raise(ContainerPortsValidator.check(ports), "containerPorts");
        return (ports == null ? List.<String>of() : ports).stream().map(ContainerPortsValidator::normalize).toList();
    }

}
