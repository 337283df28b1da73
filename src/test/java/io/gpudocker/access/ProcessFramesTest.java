package io.gpudocker.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessFramesTest {

    @Test
    void whatIsWrittenArrivesInFramesOfItsKindSplitAtTheLargestFrame() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(wire);
        byte[] big = new byte[ProcessFrames.MAX_FRAME + 10];
        big[big.length - 1] = 7;
        OutputStream stdout = ProcessFrames.framing(out, ProcessFrames.STDOUT);
        stdout.write(big);
        ProcessFrames.framing(out, ProcessFrames.STDERR).write('e');
        ProcessFrames.write(out, ProcessFrames.EXIT, new byte[] {0, 0, 0, 3}, 0, 4);

        DataInputStream in = new DataInputStream(new ByteArrayInputStream(wire.toByteArray()));
        ProcessFrames.Frame first = ProcessFrames.read(in);
        ProcessFrames.Frame second = ProcessFrames.read(in);
        assertThat(first.kind()).isEqualTo(ProcessFrames.STDOUT);
        assertThat(first.data()).hasSize(ProcessFrames.MAX_FRAME);
        assertThat(second.kind()).isEqualTo(ProcessFrames.STDOUT);
        assertThat(second.data()).hasSize(10).endsWith(7);
        assertThat(ProcessFrames.read(in)).satisfies(f -> {
            assertThat(f.kind()).isEqualTo(ProcessFrames.STDERR);
            assertThat(f.data()).containsExactly('e');
        });
        assertThat(ProcessFrames.read(in).kind()).isEqualTo(ProcessFrames.EXIT);
    }

    @Test
    void aFrameLongerThanTheLargestIsRefusedBeforeItsBytesAreTaken() {
        byte[] wire = {0, 0x7f, 0, 0, 0};
        assertThatThrownBy(() -> ProcessFrames.read(new DataInputStream(new ByteArrayInputStream(wire))))
                .isInstanceOf(IOException.class).hasMessageContaining("bytes");
    }

    @Test
    void whatToRunTravelsWholeInTheUri() {
        RemoteProcess.Spec spec = new RemoteProcess.Spec(List.of("/bin/sh", "-c", "cat > '/tmp/a b' && echo ü"), true, Map.of("TERM", "xterm"), 120, 40);
        String encoded = RemoteProcess.encode(spec);
        assertThat(encoded).matches("[A-Za-z0-9_-]+");
        assertThat(RemoteProcess.decode(encoded)).isEqualTo(spec);
    }
}
