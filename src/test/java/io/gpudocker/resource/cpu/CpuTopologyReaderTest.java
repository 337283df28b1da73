package io.gpudocker.resource.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuTopologyReaderTest {
    private static final Path FIXTURE = Path.of("src/test/resources/sysfs-two-nodes");

    @Test
    void readsNodesAndTheNodeOfEachGpuFromSysfs() {
        CpuTopology t = new CpuTopologyReader(FIXTURE, "").read(List.of("00000000:01:00.0", "00000000:05:00.0", "00000000:7F:00.0"));
        assertThat(t.nodes()).isEqualTo(Map.of(0, List.of(0), 1, List.of(1)));
        assertThat(t.nodeOfGpu("00000000:01:00.0")).contains(0);
        assertThat(t.nodeOfGpu("00000000:05:00.0")).contains(1);
        assertThat(t.nodeOfGpu("00000000:7F:00.0")).isEmpty();
        assertThat(t.nodeOfGpu(null)).isEmpty();
    }

    @Test
    void reservedCoresAreNeverHandedOut() {
        CpuTopology t = new CpuTopologyReader(FIXTURE, "0").read(List.of());
        assertThat(t.cores()).containsExactly(1);
        assertThat(t.nodes()).doesNotContainKey(0);
    }

    @Test
    void aHostWithoutNodesHasOneNodeOfItsOnlineCores(@TempDir Path sys) throws IOException {
        Files.createDirectories(sys.resolve("devices/system/cpu"));
        Files.writeString(sys.resolve("devices/system/cpu/online"), "0-5\n");
        CpuTopology t = new CpuTopologyReader(sys, "4-5").read(List.of("00000000:01:00.0"));
        assertThat(t.nodes()).isEqualTo(Map.of(CpuTopology.UNKNOWN_NODE, List.of(0, 1, 2, 3)));
        assertThat(t.gpuNode()).isEmpty();
    }

    @Test
    void aGpuWhoseNodeSysfsDoesNotKnowIsNotPlaced(@TempDir Path sys) throws IOException {
        Path dev = Files.createDirectories(sys.resolve("bus/pci/devices/0000:3b:00.0"));
        Files.writeString(dev.resolve("numa_node"), "-1\n");
        assertThat(new CpuTopologyReader(sys, "").read(List.of("00000000:3B:00.0")).gpuNode()).isEmpty();
    }

    @Test
    void nvidiaBusIdsMapToSysfsNames() {
        assertThat(CpuTopology.sysfsBusId("00000000:3B:00.0")).isEqualTo("0000:3b:00.0");
        assertThat(CpuTopology.sysfsBusId("0000:3b:00.0")).isEqualTo("0000:3b:00.0");
    }
}
