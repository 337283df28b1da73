package io.gpudocker.copy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;

/** Times every data copy as {@code gda.copies}, tagged by what was copied and the method that ran. */
public class CopyMetrics {
    public static final String METER = "gda.copies";

    private final MeterRegistry registry;

    public CopyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Records into a registry of its own, for copiers built outside the application context. */
    public static CopyMetrics standalone() {
        return new CopyMetrics(new SimpleMeterRegistry());
    }

    public void record(CopyReport report) {
        Timer.builder(METER)
                .description("Copies of system disks and volume data, by kind and method (reflink or bytes)")
                .tag("kind", report.kind())
                .tag("method", report.method().label())
                .register(registry)
                .record(report.millis(), TimeUnit.MILLISECONDS);
    }
}
