package io.gpudocker.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageCsvTest {
    @Test
    void oneLinePerFigureUnderTheHeaderAndNoZeroFigures() {
        UsageReport report = new UsageReport(LocalDate.parse("2026-06-01"), LocalDate.parse("2026-06-30"), "instance", List.of(
                new UsageReport.Row("alice", null, "replicaset", "job", new Amounts(Map.of("NVIDIA H200", 7200.0, "A100, 80GB", 1.5), 3600, 0, 0, 3600)),
                new UsageReport.Row("alice", null, "volume", "data", new Amounts(Map.of(), 0, 0, 2.25, 0))), Amounts.ZERO);

        List<String> lines = UsageCsv.write(report).lines().toList();

        assertThat(lines).containsExactly(
                "tenant,day,kind,instance,metric,gpu_model,quantity",
                "alice,,replicaset,job,gpu_seconds,\"A100, 80GB\",1.500",
                "alice,,replicaset,job,gpu_seconds,NVIDIA H200,7200.000",
                "alice,,replicaset,job,core_seconds,,3600.000",
                "alice,,replicaset,job,instance_seconds,,3600.000",
                "alice,,volume,data,volume_gib_hours,,2.250");
    }

    @Test
    void rowsByDayNameTheDayAndNoInstance() {
        UsageReport report = new UsageReport(LocalDate.parse("2026-06-01"), LocalDate.parse("2026-06-01"), "day", List.of(
                new UsageReport.Row("bob", LocalDate.parse("2026-06-01"), null, null, new Amounts(Map.of(), 10, 0, 0, 10))), Amounts.ZERO);

        assertThat(UsageCsv.write(report).lines()).containsExactly(UsageCsv.HEADER, "bob,2026-06-01,,,core_seconds,,10.000", "bob,2026-06-01,,,instance_seconds,,10.000");
    }
}
