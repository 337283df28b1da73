package io.gpudocker.resource.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NvidiaSmiParserTest {

    /** A recorded fixture without the lines that name its command and exit status. */
    static String fixture(String path) throws IOException {
        try (InputStream in = NvidiaSmiParserTest.class.getResourceAsStream("/nvidia-smi/" + path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("# nvidia-smi") && !l.startsWith("# exit"))
                    .collect(Collectors.joining("\n"));
        }
    }

    @Test
    void readsTheInventoryARealH200Printed() throws IOException {
        assertThat(NvidiaSmiParser.parse(fixture("h200-580/inventory.csv"))).containsExactly(
                new Gpu(0, "GPU-3124f149-9d5e-ec46-94bc-c94028c2fd00", "NVIDIA H200", 143771L, "00000000:00:06.0"));
    }

    @Test
    void unreadableFiguresBecomeUnknownAndTheGpuStays() {
        assertThat(NvidiaSmiParser.parse("0, GPU-aaaa, NVIDIA A100-SXM4-40GB, [N/A], 00000000:07:00.0\n"
                + "1, GPU-bbbb, NVIDIA A100-SXM4-40GB, [Not Supported], [Unknown Error]\n"))
                .containsExactly(new Gpu(0, "GPU-aaaa", "NVIDIA A100-SXM4-40GB", null, "00000000:07:00.0"),
                        new Gpu(1, "GPU-bbbb", "NVIDIA A100-SXM4-40GB", null, null));
    }

    @Test
    void linesWithoutAGpuUuidOrListedTwiceAreSkipped() {
        assertThat(NvidiaSmiParser.parse("0, GPU-aaaa, T4, 15360, 00000000:01:00.0\n"
                + "Unable to determine the device handle for GPU 0000:02:00.0: Unknown Error\n"
                + "1, [GPU requires reset], T4, 15360, 00000000:02:00.0\n"
                + "0, GPU-aaaa, T4, 15360, 00000000:01:00.0\n"))
                .extracting(Gpu::uuid).containsExactly("GPU-aaaa");
    }

    @Test
    void whatAnUnknownQueryFieldPrintsGivesNoGpus() throws IOException {
        assertThat(NvidiaSmiParser.parse(fixture("h200-580/bad-field.csv"))).isEmpty();
    }
}
