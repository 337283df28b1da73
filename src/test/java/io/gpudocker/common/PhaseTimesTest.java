package io.gpudocker.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class PhaseTimesTest {
    enum Steps implements PhaseTimes.Phase {
        FIRST("first"), SECOND("second"), THIRD("third");

        private final String label;

        Steps(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }
    }

    @Test
    void eachPhaseIsAnsweredByItsLabelInTheOrderThePhasesRunAndTimedUnderOneMeter() throws Exception {
        PhaseTimes<Steps> times = new PhaseTimes<>(Steps.class, "test.phases", "test");
        Thread.sleep(20);
        times.lap(Steps.THIRD);
        times.lap(Steps.FIRST);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        times.publish(registry);

        assertThat(times.millis()).containsOnlyKeys("first", "third");
        assertThat(times.millis().keySet()).containsExactly("first", "third");
        assertThat(times.millis().get("third")).isGreaterThanOrEqualTo(20);
        assertThat(times.totalMillis()).isGreaterThanOrEqualTo(times.millis().get("third"));
        assertThat(registry.find("test.phases").tag("phase", "third").timer()).isNotNull().satisfies(t -> assertThat(t.count()).isEqualTo(1));
        assertThat(registry.find("test.phases").tag("phase", "second").timer()).isNull();
    }
}
