package io.gpudocker.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.resource.gpu.GpuProcess;
import io.gpudocker.resource.gpu.GpuSample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NvidiaSmiTelemetryTest {
    @TempDir
    Path dir;

    /** A stand-in printing the fixture for the GPU query and the other for the process query, ending as the fixture says. */
    private String standIn(String gpus, String apps) throws IOException {
        Files.writeString(dir.resolve("gpus.csv"), fixture(gpus));
        Files.writeString(dir.resolve("apps.csv"), fixture(apps));
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, """
                #!/bin/sh
                case "$1" in
                  --query-gpu=*) f=%1$s/gpus.csv ;;
                  *) f=%1$s/apps.csv ;;
                esac
                cat "$f"
                exit "$(sed -n 's/^# exit //p' "$f")"
                """.formatted(dir));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script.toString();
    }

    private static String fixture(String path) throws IOException {
        try (InputStream in = NvidiaSmiTelemetryTest.class.getResourceAsStream("/nvidia-smi/" + path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsEveryGpuAndEveryProcessWithAPid() throws IOException {
        NvidiaSmiTelemetry smi = new NvidiaSmiTelemetry(standIn("synthetic/telemetry-mig.csv", "synthetic/apps-memory-na.csv"), Duration.ofSeconds(10));
        NvidiaSmiTelemetry.Reading r = smi.read();
        assertThat(r.failure()).isNull();
        assertThat(r.gpus()).hasSize(2);
        assertThat(r.processes()).extracting(GpuProcess::pid).containsExactly(4711L, 4712L);
    }

    @Test
    void aGpuOffTheBusFailsTheCallButTheOtherGpusFiguresAreKept() throws IOException {
        NvidiaSmiTelemetry smi = new NvidiaSmiTelemetry(standIn("synthetic/telemetry-fell-off-bus.csv", "h200-580/apps-idle.csv"), Duration.ofSeconds(10));
        NvidiaSmiTelemetry.Reading r = smi.read();
        assertThat(r.failure()).contains("exited 15");
        assertThat(r.gpus()).first().isEqualTo(new GpuSample("GPU-3124f149-9d5e-ec46-94bc-c94028c2fd00", 97, 70211L, 143771L, 61, 655.20));
        assertThat(r.processes()).isEmpty();
    }

    @Test
    void noDriverIsAReadingWithoutFigures() {
        NvidiaSmiTelemetry.Reading r = new NvidiaSmiTelemetry(dir.resolve("missing").toString(), Duration.ofSeconds(5)).read();
        assertThat(r.gpus()).isEmpty();
        assertThat(r.failure()).isNotBlank();
    }
}
