package io.gpudocker.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.resource.gpu.Gpu;
import io.gpudocker.resource.gpu.NvidiaSmiParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class NvidiaSmiParserTest {

    @Test
    void parsesTheInventoryQuery() {
        List<Gpu> gpus = NvidiaSmiParser.parse("""
                1, GPU-bbbbbbbb-0000-0000-0000-000000000001, NVIDIA H100 80GB HBM3, 81559
                0, GPU-aaaaaaaa-0000-0000-0000-000000000000, NVIDIA H100 80GB HBM3, 81559
                """);
        assertThat(gpus).extracting(Gpu::index).containsExactly(0, 1);
        assertThat(gpus.get(0)).isEqualTo(new Gpu(0, "GPU-aaaaaaaa-0000-0000-0000-000000000000", "NVIDIA H100 80GB HBM3", 81559L));
    }

    @Test
    void toleratesNotAvailableFieldsAndMig() {
        List<Gpu> gpus = NvidiaSmiParser.parse("""
                0, GPU-aaaaaaaa-0000-0000-0000-000000000000, NVIDIA A100-SXM4-40GB, [N/A]
                1, GPU-bbbbbbbb-0000-0000-0000-000000000001, [Not Supported], [Unknown Error]
                [N/A], MIG-cccccccc-0000-0000-0000-000000000002, NVIDIA A100 MIG 1g.5gb, 4864
                """);
        assertThat(gpus).hasSize(3);
        assertThat(gpus.get(0).memoryMiB()).isNull();
        assertThat(gpus.get(1).model()).isNull();
        assertThat(gpus).extracting(Gpu::uuid).contains("MIG-cccccccc-0000-0000-0000-000000000002");
    }

    @Test
    void skipsGarbageDuplicatesAndBlankLines() {
        List<Gpu> gpus = NvidiaSmiParser.parse("""
                No devices were found

                0, GPU-aaaaaaaa-0000-0000-0000-000000000000, A, 1
                0, GPU-aaaaaaaa-0000-0000-0000-000000000000, A, 1
                2, not-a-uuid, B, 2
                """);
        assertThat(gpus).extracting(Gpu::uuid).containsExactly("GPU-aaaaaaaa-0000-0000-0000-000000000000");
    }

    @Test
    void emptyOutputMeansNoGpus() {
        assertThat(NvidiaSmiParser.parse("")).isEmpty();
    }
}
