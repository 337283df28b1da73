package io.gpudocker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CopyMetricsTest {

    @Test
    void everyCopyIsTimedByKindAndMethod() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CopyMetrics metrics = new CopyMetrics(registry);

        metrics.record(new CopyReport("system-disk", CopyMethod.REFLINK, 3, null));
        metrics.record(new CopyReport("system-disk", CopyMethod.REFLINK, 5, null));
        metrics.record(new CopyReport("volume", CopyMethod.BYTES, 2000, 1L << 30));

        Timer reflinked = registry.get(CopyMetrics.METER).tags("kind", "system-disk", "method", "reflink").timer();
        Timer bytes = registry.get(CopyMetrics.METER).tags("kind", "volume", "method", "bytes").timer();
        assertThat(reflinked.count()).isEqualTo(2);
        assertThat(reflinked.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(8);
        assertThat(bytes.count()).isEqualTo(1);
        assertThat(bytes.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2000);
    }
}
