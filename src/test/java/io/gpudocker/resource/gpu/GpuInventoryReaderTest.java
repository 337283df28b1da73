package io.gpudocker.resource.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.common.StandInCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class GpuInventoryReaderTest {

    @Test
    void readsTheGpusNvidiaSmiLists(@TempDir Path tmp) throws Exception {
        String smi = StandInCommand.write(tmp, "nvidia-smi", """
                [ "$1" = "%s" ] && [ "$2" = "%s" ] || exit 9
                echo '0, GPU-aaaaaaaa-0000-0000-0000-000000000000, NVIDIA H100 80GB HBM3, 81559'
                echo '1, GPU-bbbbbbbb-0000-0000-0000-000000000001, NVIDIA H100 80GB HBM3, 81559'
                """.formatted(GpuInventoryReader.QUERY, GpuInventoryReader.FORMAT));

        List<Gpu> gpus = new GpuInventoryReader(smi).read();

        assertThat(gpus).extracting(Gpu::uuid)
                .containsExactly("GPU-aaaaaaaa-0000-0000-0000-000000000000", "GPU-bbbbbbbb-0000-0000-0000-000000000001");
        assertThat(gpus.get(1)).isEqualTo(new Gpu(1, "GPU-bbbbbbbb-0000-0000-0000-000000000001", "NVIDIA H100 80GB HBM3", 81559L));
    }

    @Test
    void aHungNvidiaSmiLeavesTheInventoryEmptyOnceItsLimitPasses(@TempDir Path tmp) throws Exception {
        String smi = StandInCommand.write(tmp, "nvidia-smi", "sleep 300");
        GpuInventoryReader reader = new GpuInventoryReader(smi, Duration.ofMillis(500));

        long started = System.nanoTime();
        List<Gpu> gpus = reader.read();

        assertThat(gpus).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aFailingNvidiaSmiLeavesTheInventoryEmpty(@TempDir Path tmp) throws Exception {
        String smi = StandInCommand.write(tmp, "nvidia-smi", "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver' >&2; exit 9");

        assertThat(new GpuInventoryReader(smi).read()).isEmpty();
    }

    @Test
    void noNvidiaSmiMeansNoGpus() {
        assertThat(new GpuInventoryReader("/nonexistent/nvidia-smi").read()).isEmpty();
    }
}
