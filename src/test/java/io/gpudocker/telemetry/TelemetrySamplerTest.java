package io.gpudocker.telemetry;

import io.gpudocker.common.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.gpudocker.common.ManagedLabels;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.docker.ContainerSummary;
import io.gpudocker.docker.EngineUnavailableException;
import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.GpuReadings;
import io.gpudocker.resource.gpu.GpuScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetrySamplerTest {
    private static final String OWNER = "/gda";
    private static final String ID = "a".repeat(64);
    private static final String OTHER_ID = "b".repeat(64);
    private static final String G0 = "GPU-00000000-0000-4000-8000-000000000000";
    private static final String G1 = "GPU-00000000-0000-4000-8000-000000000001";
    private static final String G2 = "GPU-00000000-0000-4000-8000-000000000002";

    @TempDir
    Path dir;
    private final ContainerEngine engine = mock(ContainerEngine.class);
    private final GpuScheduler gpus = new GpuScheduler();
    private final GpuReadings readings = new GpuReadings();
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));
    private TelemetrySampler sampler;

    @BeforeEach
    void setUp() throws IOException {
        Path smi = dir.resolve("nvidia-smi");
        Files.writeString(smi, """
                #!/bin/sh
                case "$1" in
                  --query-gpu=*) cat %1$s/gpus ;;
                  *) cat %1$s/apps ;;
                esac
                """.formatted(dir));
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("gpus"), G0 + ", 90, 1000, 81920, 60, 300.5\n" + G1 + ", 70, 3000, 81920, ERR!, [N/A]\n"
                + G2 + ", 0, 0, 81920, 30, 50.0\n");
        Files.writeString(dir.resolve("apps"), "4711, " + G0 + ", 900, python3\n4712, " + G2 + ", 10, stray\n");
        write("proc/4711/cgroup", "0::/system.slice/docker-" + ID + ".scope\n");
        write("proc/4712/cgroup", "0::/user.slice\n");
        gpus.load(List.of(new Gpu(0, G0, "A100", 81920L, null), new Gpu(1, G1, "A100", 81920L, null), new Gpu(2, G2, "A100", 81920L, null)),
                new HashMap<>(Map.of(G0, "job", G1, "job")));
        sampler = new TelemetrySampler(new NvidiaSmiTelemetry(smi.toString(), Duration.ofSeconds(10)),
                new CgroupReader(dir.resolve("cg"), dir.resolve("proc")), engine, OWNER, gpus, readings, () -> Map.of("job", "alice"),
                clock, 720, 1440, Duration.ofDays(1));
        when(engine.listByLabels(ManagedLabels.owner(OWNER))).thenReturn(List.of(
                new ContainerSummary(ID, "job-2", "running", true, false, ManagedLabels.replicaSetVersion(OWNER, "job", 2)),
                new ContainerSummary(OTHER_ID, "old-1", "exited", false, false, ManagedLabels.replicaSetVersion(OWNER, "old", 1))));
    }

    private void write(String path, String text) throws IOException {
        Path p = dir.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private void cgroup(long cpuMicros, long memory) throws IOException {
        write("cg/system.slice/docker-" + ID + ".scope/cpu.stat", "usage_usec " + cpuMicros + "\n");
        write("cg/system.slice/docker-" + ID + ".scope/memory.current", memory + "\n");
    }

    @Test
    void anInstancesFiguresAreItsGpusItsProcessesAndItsCgroupsCpuRate() throws IOException {
        cgroup(1_000_000, 5000);
        sampler.sample();
        clock.advance(Duration.ofSeconds(5));
        cgroup(8_500_000, 6000);
        sampler.sample();

        assertThat(sampler.lastPass()).hasSize(1);
        InstanceFigures f = sampler.lastPass().get(0);
        assertThat(f.name()).isEqualTo("job");
        assertThat(f.tenant()).isEqualTo("alice");
        assertThat(f.version()).isEqualTo(2);
        assertThat(f.cpuPercent()).as("7.5 s of CPU in 5 s").isEqualTo(150.0);
        assertThat(f.memoryBytes()).isEqualTo(6000L);
        assertThat(f.gpus()).containsExactly(
                new InstanceFigures.GpuFigure(G0, "A100", 90, 1000L, 81920L, 60, 300.5),
                new InstanceFigures.GpuFigure(G1, "A100", 70, 3000L, 81920L, null, null));
        assertThat(f.processes()).containsExactly(new InstanceFigures.ProcessFigure(4711, G0, 900L, "python3"));
        InstanceSeries s = sampler.series("job").orElseThrow();
        assertThat(s.recent(null)).extracting(InstancePoint::gpuUtilizationPercent).containsExactly(80.0, 80.0);
        assertThat(s.recent(null).get(0).cpuPercent()).as("no rate before a second pass").isNull();
        assertThat(s.recent(null).get(1).gpuMemoryUsedMiB()).isEqualTo(4000L);
        assertThat(readings.latest().byUuid()).containsKeys(G0, G1, G2);
        assertThat(sampler.series("old")).as("a stopped container is not sampled").isEmpty();
    }

    @Test
    void dockerDownStillReadsTheGpusAndKeepsTheSeries() throws IOException {
        cgroup(1, 1);
        sampler.sample();
        when(engine.listByLabels(ManagedLabels.owner(OWNER))).thenThrow(new EngineUnavailableException("docker is down", null));
        clock.advance(Duration.ofSeconds(5));
        sampler.sample();
        assertThat(readings.latest().at()).isEqualTo(clock.instant());
        assertThat(sampler.series("job").orElseThrow().recent(null)).hasSize(1);
    }

    @Test
    void aSeriesIsDroppedOnceItsLastSampleIsOlderThanTheDailyWindow() throws IOException {
        cgroup(1, 1);
        sampler.sample();
        when(engine.listByLabels(ManagedLabels.owner(OWNER))).thenReturn(List.of());
        clock.advance(Duration.ofHours(23));
        sampler.sample();
        assertThat(sampler.series("job")).isPresent();
        clock.advance(Duration.ofHours(2));
        sampler.sample();
        assertThat(sampler.series("job")).isEmpty();
    }
}
