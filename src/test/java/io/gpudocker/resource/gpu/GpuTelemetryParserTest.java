package io.gpudocker.resource.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GpuTelemetryParserTest {
    private static final String H200 = "GPU-3124f149-9d5e-ec46-94bc-c94028c2fd00";
    private static final String CONTAINER = "3f4e8a1c0d9b7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";

    /** A recorded answer and the fields its first line says were asked for. */
    record Recorded(List<String> fields, String csv) {}

    static Recorded recorded(String path) throws IOException {
        try (InputStream in = GpuTelemetryParserTest.class.getResourceAsStream("/nvidia-smi/" + path)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher asked = Pattern.compile("--query-[a-z-]+=([^ ]+)").matcher(text.lines().findFirst().orElseThrow());
            assertThat(asked.find()).as("the fixture names its query").isTrue();
            return new Recorded(Arrays.asList(asked.group(1).split(",")), text);
        }
    }

    @Test
    void readsAnIdleH200() throws IOException {
        Recorded idle = recorded("h200-580/telemetry-idle.csv");
        assertThat(GpuTelemetryParser.samples(idle.fields(), idle.csv()))
                .containsExactly(new GpuSample(H200, 0, 0L, 143771L, 38, 79.78));
    }

    @Test
    void readsAnH200UnderLoad() throws IOException {
        Recorded load = recorded("h200-580/telemetry-load-2.csv");
        assertThat(GpuTelemetryParser.samples(load.fields(), load.csv()))
                .containsExactly(new GpuSample(H200, 100, 883L, 143771L, 58, 692.20));
    }

    @Test
    void readsFiguresWithTheirUnitsAndSkipsTheHeader() throws IOException {
        Recorded units = recorded("h200-580/telemetry-idle-units.csv");
        assertThat(GpuTelemetryParser.samples(units.fields(), units.csv()))
                .containsExactly(new GpuSample(H200, 0, 0L, 143771L, 38, 79.75));
    }

    @Test
    void readsTheProcessesOfALoadedGpuWithOrWithoutUnits() throws IOException {
        for (String file : List.of("h200-580/apps-load.csv", "h200-580/apps-load-units.csv")) {
            Recorded apps = recorded(file);
            assertThat(GpuTelemetryParser.processes(apps.fields(), apps.csv())).as(file)
                    .containsExactly(new GpuProcess(477, H200, 874L, "python3"));
        }
    }

    @Test
    void anIdleGpuHasNoProcesses() throws IOException {
        Recorded apps = recorded("h200-580/apps-idle.csv");
        assertThat(GpuTelemetryParser.processes(apps.fields(), apps.csv())).isEmpty();
    }

    @Test
    void aGpuThatFellOffTheBusLosesItsFiguresNotTheOthersReadings() {
        String csv = """
                GPU-aaaa, 37, 1024, 40960, 51, 88.10
                GPU-bbbb, [GPU requires reset], [GPU requires reset], [GPU requires reset], [GPU requires reset], [GPU requires reset]
                GPU-cccc, ERR!, 0, 40960, ERR!, [N/A]
                [GPU requires reset], 0, 0, 0, 0, 0
                Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error
                """;
        assertThat(GpuTelemetryParser.samples(GpuTelemetryParser.SAMPLE_FIELDS, csv)).containsExactly(
                new GpuSample("GPU-aaaa", 37, 1024L, 40960L, 51, 88.10),
                new GpuSample("GPU-bbbb", null, null, null, null, null),
                new GpuSample("GPU-cccc", null, 0L, 40960L, null, null));
    }

    @Test
    void migInstancesAreReadUnderTheirOwnUuids() {
        String csv = "MIG-11111111-2222-3333-4444-555555555555, [N/A], 9876, 19968, [N/A], [N/A]\n";
        assertThat(GpuTelemetryParser.samples(GpuTelemetryParser.SAMPLE_FIELDS, csv))
                .containsExactly(new GpuSample("MIG-11111111-2222-3333-4444-555555555555", null, 9876L, 19968L, null, null));
    }

    @Test
    void findsTheContainerOfAProcessUnderEitherCgroupLayout() {
        assertThat(GpuTelemetryParser.containerOf("0::/system.slice/docker-" + CONTAINER + ".scope\n")).contains(CONTAINER);
        assertThat(GpuTelemetryParser.containerOf("0::/docker/" + CONTAINER + "\n")).contains(CONTAINER);
        assertThat(GpuTelemetryParser.containerOf("12:pids:/docker/" + CONTAINER + "\n11:memory:/docker/" + CONTAINER + "\n")).contains(CONTAINER);
        assertThat(GpuTelemetryParser.containerOf("0::/user.slice/user-1000.slice/session-3.scope\n")).isEmpty();
    }

    @Test
    void aProcessOutsideAnyContainerAsRecordedOnARealHostHasNone() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/nvidia-smi/h200-580/load-cgroup.txt")) {
            assertThat(GpuTelemetryParser.containerOf(new String(in.readAllBytes(), StandardCharsets.UTF_8))).isEmpty();
        }
    }

    @Test
    void syntheticAnswerOfAGpuThatFellOffTheBusKeepsTheHealthyGpusFigures() throws IOException {
        Recorded r = recorded("synthetic/telemetry-fell-off-bus.csv");
        assertThat(GpuTelemetryParser.samples(r.fields(), r.csv())).containsExactly(
                new GpuSample(H200, 97, 70211L, 143771L, 61, 655.20),
                new GpuSample("GPU-5a1d0b7e-44c2-11ef-9a0c-0242ac120002", null, null, null, null, null),
                new GpuSample("GPU-6b2e1c8f-44c2-11ef-9a0c-0242ac120002", null, 0L, 143771L, null, null));
    }

    @Test
    void syntheticMigAnswerReadsTheParentAndTheMigDeviceWithoutTheFiguresMigDoesNotGive() throws IOException {
        Recorded r = recorded("synthetic/telemetry-mig.csv");
        assertThat(GpuTelemetryParser.samples(r.fields(), r.csv())).containsExactly(
                new GpuSample(H200, null, 19872L, 143771L, 41, 112.40),
                new GpuSample("MIG-11111111-2222-3333-4444-555555555555", null, 9876L, 19968L, null, null));
    }

    @Test
    void syntheticProcessesWithoutReadableMemoryAreKeptAndOnesWithoutAPidAreNot() throws IOException {
        Recorded r = recorded("synthetic/apps-memory-na.csv");
        assertThat(GpuTelemetryParser.processes(r.fields(), r.csv())).containsExactly(
                new GpuProcess(4711, H200, null, "python3"),
                new GpuProcess(4712, H200, 2048L, "/usr/bin/python3 train.py --epochs 3"));
    }
}
