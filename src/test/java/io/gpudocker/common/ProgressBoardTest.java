package io.gpudocker.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBoardTest {
    private Instant now = Instant.parse("2025-01-01T08:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() { return ZoneOffset.UTC; }

        @Override
        public Clock withZone(java.time.ZoneId zone) { return this; }

        @Override
        public Instant instant() { return now; }
    };
    private final ProgressBoard board = new ProgressBoard(clock);

    @Test
    void reportsTheCurrentStepUntilClosed() {
        try (ProgressBoard.Tracker t = board.begin("volume/data", "resize to 2GB")) {
            now = now.plusSeconds(1);
            t.step("measuring the data");
            ProgressBoard.Progress p = board.of("volume/data").orElseThrow();
            assertThat(p.operation()).isEqualTo("resize to 2GB");
            assertThat(p.step()).isEqualTo("measuring the data");
            assertThat(p.startedAt()).isEqualTo(Instant.parse("2025-01-01T08:00:00Z"));
            assertThat(p.stepStartedAt()).isEqualTo(Instant.parse("2025-01-01T08:00:01Z"));
            assertThat(p.bytesDone()).isNull();
            assertThat(p.bytesTotal()).isNull();
            assertThat(board.of("volume/other")).isEmpty();
        }
        assertThat(board.of("volume/data")).isEmpty();
    }

    @Test
    void measuresBytesDoneOnlyWhenAskedAndAtMostEveryTwoSeconds() {
        AtomicInteger measurements = new AtomicInteger();
        AtomicLong across = new AtomicLong(100);
        try (ProgressBoard.Tracker t = board.begin("volume/data", "resize to 2GB")) {
            t.copying("copying the data into data-2", 1000, () -> {
                measurements.incrementAndGet();
                return across.get();
            });
            assertThat(measurements).as("nobody asked yet").hasValue(0);
            assertThat(board.of("volume/data").orElseThrow().bytesDone()).isEqualTo(100);
            across.set(400);
            assertThat(board.of("volume/data").orElseThrow().bytesDone()).as("measured a moment ago").isEqualTo(100);
            now = now.plus(Duration.ofSeconds(2));
            assertThat(board.of("volume/data").orElseThrow().bytesDone()).isEqualTo(400);
            assertThat(board.of("volume/data").orElseThrow().bytesTotal()).isEqualTo(1000);
            assertThat(measurements).hasValue(2);

            across.set(5000); // the target's overhead may exceed what the source held
            now = now.plus(Duration.ofSeconds(2));
            assertThat(board.of("volume/data").orElseThrow().bytesDone()).isEqualTo(1000);

            t.step("recording version 2");
            assertThat(board.of("volume/data").orElseThrow().bytesDone()).isNull();
        }
    }

    @Test
    void aFailingMeasurementKeepsTheLastFigure() {
        AtomicLong across = new AtomicLong(300);
        try (ProgressBoard.Tracker t = board.begin("volume/data", "resize")) {
            t.copying("copying", 1000, () -> {
                if (across.get() < 0) {
                    throw new IllegalStateException("gone");
                }
                return across.get();
            });
            assertThat(board.of("volume/data").orElseThrow().bytesDone()).isEqualTo(300);
            across.set(-1);
            now = now.plus(Duration.ofSeconds(3));
            assertThat(board.of("volume/data").orElseThrow().bytesDone()).isEqualTo(300);
        }
    }
}
