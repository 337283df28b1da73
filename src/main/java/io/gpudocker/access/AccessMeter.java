package io.gpudocker.access;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bytes carried for each tenant through the SSH gateway and the port proxy, both ways, as the counter
 * {@code gda_access_bytes_total{tenant, via}}: what an operator bills or watches for abuse.
 */
public class AccessMeter {
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public AccessMeter(MeterRegistry registry) {
        this.registry = registry;
    }

    public void add(String tenant, String via, long bytes) {
        if (bytes > 0) {
            counters.computeIfAbsent(tenant + "\0" + via, k -> Counter.builder("gda.access.bytes")
                    .description("bytes carried through the SSH gateway (via=ssh) and the port proxy (via=proxy), both ways")
                    .tag("tenant", tenant).tag("via", via).register(registry)).increment(bytes);
        }
    }

    /** {@code out}, counting what passes for {@code tenant}. */
    public OutputStream counting(OutputStream out, String tenant, String via) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                add(tenant, via, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                add(tenant, via, len);
            }
        };
    }
}
