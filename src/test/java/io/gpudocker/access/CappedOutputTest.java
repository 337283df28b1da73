package io.gpudocker.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CappedOutputTest {
    @Test
    void keepsOutputUpToItsCapAndFailsTheWriteThatWouldPassIt() throws IOException {
        CappedOutput out = new CappedOutput(8, "the output of stat");
        out.write("12345".getBytes(StandardCharsets.UTF_8));
        out.write('6');
        out.write("78".getBytes(StandardCharsets.UTF_8), 0, 2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("12345678");

        assertThatThrownBy(() -> out.write('9')).isInstanceOf(CappedOutput.Exceeded.class)
                .hasMessage("the output of stat is longer than 8 bytes; the rest was not read");
        assertThatThrownBy(() -> out.write(new byte[1024], 0, 1024)).isInstanceOf(CappedOutput.Exceeded.class);
        assertThat(out.toString(StandardCharsets.UTF_8)).as("what was kept stays").isEqualTo("12345678");
    }
}
