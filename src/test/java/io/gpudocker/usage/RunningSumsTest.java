package io.gpudocker.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Running totals: any stretch of days is two figures read, exactly zero where nothing was used. */
class RunningSumsTest {
    private static Amounts gpu(double seconds) {
        return new Amounts(Map.of("H200", seconds), seconds, 0, 0, seconds);
    }

    private final RunningSums month = RunningSums.EMPTY.plus(3, gpu(100)).plus(10, gpu(20)).plus(31, gpu(5));

    @Test
    void aStretchIsTheTotalAtItsLastDayLessTheOneBeforeItsFirst() {
        assertThat(month.between(0, 31).gpuSecondsTotal()).isEqualTo(125.0);
        assertThat(month.between(3, 31).gpuSecondsTotal()).as("days 4 to 31").isEqualTo(25.0);
        assertThat(month.between(2, 3).gpuSecondsTotal()).as("day 3 alone").isEqualTo(100.0);
        assertThat(month.between(4, 30).gpuSecondsTotal()).as("days 5 to 30").isEqualTo(20.0);
        assertThat(month.between(0, 9).gpuSecondsTotal()).as("days 1 to 9").isEqualTo(100.0);
        assertThat(month.total().gpuSecondsTotal()).isEqualTo(125.0);
    }

    @Test
    void aStretchWithoutUsageIsNoneNotALeftoverOfASubtraction() {
        assertThat(month.between(3, 9)).isNull();
        assertThat(month.between(0, 2)).isNull();
        assertThat(RunningSums.EMPTY.between(0, 31)).isNull();
    }

    @Test
    void usageAddedToAnEarlierDayRaisesEveryLaterTotalAndKeepsTheOrder() {
        RunningSums later = month.plus(1, gpu(1)).plus(10, gpu(2)).plus(20, gpu(4));

        assertThat(later.between(0, 1).gpuSecondsTotal()).isEqualTo(1.0);
        assertThat(later.between(9, 10).gpuSecondsTotal()).isEqualTo(22.0);
        assertThat(later.between(19, 20).gpuSecondsTotal()).isEqualTo(4.0);
        assertThat(later.between(20, 31).gpuSecondsTotal()).isEqualTo(5.0);
        assertThat(later.total().gpuSecondsTotal()).isEqualTo(132.0);
        assertThat(month.total().gpuSecondsTotal()).as("unchanged: a new value").isEqualTo(125.0);
    }

    @Test
    void itsTextReadsBackAsItWasAndAnythingElseIsRefused() {
        RunningSums back = RunningSums.decode(month.encode());

        assertThat(back.encode()).isEqualTo(month.encode());
        assertThat(back.between(4, 31).gpuSeconds()).containsEntry("H200", 25.0);
        assertThat(RunningSums.decode(RunningSums.EMPTY.encode()).isEmpty()).isTrue();
        assertThatThrownBy(() -> RunningSums.decode(gpu(1).encode())).isInstanceOf(IllegalArgumentException.class);
    }
}
