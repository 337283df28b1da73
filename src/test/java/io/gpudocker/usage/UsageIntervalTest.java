package io.gpudocker.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageIntervalTest {
    static final long GIB = 1024L * 1024 * 1024;
    static final Held TWO_H200 = new Held(Held.REPLICASET, "alice", "job", "RUNNING", Map.of("NVIDIA H200", 2), 4, 8 * GIB, 0);

    @Test
    void anIntervalAcrossMidnightIsSplitAtMidnightUtc() {
        UsageInterval iv = new UsageInterval(TWO_H200, Instant.parse("2026-03-01T23:00:00Z"), Instant.parse("2026-03-02T01:30:00Z"));

        Map<LocalDate, Amounts> days = iv.perDay(Instant.EPOCH, Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2026-03-05T00:00:00Z"));

        assertThat(days).containsOnlyKeys(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-02"));
        Amounts first = days.get(LocalDate.parse("2026-03-01"));
        assertThat(first.gpuSeconds()).containsEntry("NVIDIA H200", 2 * 3600.0);
        assertThat(first.coreSeconds()).isEqualTo(4 * 3600.0);
        assertThat(first.memoryGiBSeconds()).isEqualTo(8 * 3600.0);
        assertThat(first.instanceSeconds()).isEqualTo(3600.0);
        assertThat(days.get(LocalDate.parse("2026-03-02")).gpuSeconds()).containsEntry("NVIDIA H200", 2 * 5400.0);
    }

    @Test
    void onlyThePartInsideTheWindowCounts() {
        UsageInterval iv = new UsageInterval(TWO_H200, Instant.parse("2026-03-01T10:00:00Z"), Instant.parse("2026-03-03T10:00:00Z"));

        Map<LocalDate, Amounts> days = iv.perDay(Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-03T00:00:00Z"), Instant.now());

        assertThat(days).containsOnlyKeys(LocalDate.parse("2026-03-02"));
        assertThat(days.get(LocalDate.parse("2026-03-02")).instanceSeconds()).isEqualTo(86_400.0);
    }

    @Test
    void anOpenIntervalCountsUpToNowToTheMillisecond() {
        UsageInterval open = new UsageInterval(TWO_H200, Instant.parse("2026-03-01T10:00:00Z"), null);

        Map<LocalDate, Amounts> days = open.perDay(Instant.EPOCH, Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2026-03-01T10:00:01.250Z"));

        assertThat(days.get(LocalDate.parse("2026-03-01")).gpuSeconds().get("NVIDIA H200")).isCloseTo(2.5, within(1e-9));
    }

    @Test
    void aVolumeMetersGibHoursAndNoInstanceSeconds() {
        Held volume = new Held(Held.VOLUME, "alice", "data", "ACTIVE", Map.of(), 0, 0, 10 * GIB);

        Amounts a = volume.over(2 * 3_600_000L);

        assertThat(a.volumeGiBHours()).isEqualTo(20.0);
        assertThat(a.instanceSeconds()).isZero();
        assertThat(a.gpuSecondsTotal()).isZero();
    }

    @Test
    void amountsAddUpPerModel() {
        Amounts a = new Amounts(Map.of("A100", 1.0), 1, 2, 3, 4).plus(new Amounts(Map.of("A100", 2.0, "H200", 5.0), 1, 1, 1, 1));

        assertThat(a.gpuSeconds()).containsEntry("A100", 3.0).containsEntry("H200", 5.0);
        assertThat(a.gpuSecondsTotal()).isEqualTo(8.0);
        assertThat(a.coreSeconds()).isEqualTo(2.0);
        assertThat(a.instanceSeconds()).isEqualTo(5.0);
    }

    @Test
    void sumsKeepEveryFigureThroughTheirEtcdEncoding() {
        Amounts a = new Amounts(Map.of("NVIDIA H200", 1.0 / 3, "A100 80GB", 7.5e9), 1234.5, 0.001, 2.25, 86_400);

        assertThat(Amounts.decode(a.encode())).isEqualTo(a);
        assertThat(Amounts.decode(Amounts.ZERO.encode())).isEqualTo(Amounts.ZERO);
    }
}
