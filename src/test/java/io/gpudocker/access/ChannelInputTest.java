package io.gpudocker.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.common.channel.LocalWindow;
import org.junit.jupiter.api.Test;

class ChannelInputTest {
    private final LocalWindow window = mock(LocalWindow.class);
    private final ChannelInput input = new ChannelInput(window);

    private void send(String s) {
        byte[] framed = ("<" + s + ">").getBytes(StandardCharsets.US_ASCII);
        input.data(null, framed, 1, framed.length - 2);
    }

    @Test
    void readsThePiecesInOrderAcrossTheirEdgesAndGivesTheWindowBackAsItReads() throws Exception {
        send("hello ");
        send("");
        send("world");
        verifyNoInteractions(window);

        byte[] buffer = new byte[4];
        StringBuilder got = new StringBuilder();
        for (int n; got.length() < 11 && (n = input.read(buffer, 0, buffer.length)) > 0; ) {
            got.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
        }
        assertThat(got).hasToString("hello world");
        verify(window, times(2)).release(4);
        verify(window).release(2);
        verify(window).release(1);

        input.close();
        assertThat(input.read(buffer, 0, 4)).as("after the client's end of input").isEqualTo(-1);
        assertThat(input.read()).isEqualTo(-1);
    }

    @Test
    void aReaderWaitsForTheNextPieceAndAnInterruptEndsTheWait() throws Exception {
        AtomicReference<Object> got = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                got.set(input.read());
            } catch (Exception e) {
                got.set(e);
            }
        });
        reader.start();
        Thread.sleep(100);
        assertThat(got.get()).as("nothing came yet").isNull();
        send("x");
        reader.join(5000);
        assertThat(got.get()).isEqualTo((int) 'x');

        Thread waiting = new Thread(() -> {
            try {
                got.set(input.read());
            } catch (Exception e) {
                got.set(e);
            }
        });
        waiting.start();
        Thread.sleep(100);
        waiting.interrupt();
        waiting.join(5000);
        assertThat(got.get()).isInstanceOf(InterruptedIOException.class);
    }

    @Test
    void theEndComesOnlyAfterWhatWasSentBeforeIt() throws Exception {
        send("ab");
        input.close();
        assertThat(input.readAllBytes()).isEqualTo("ab".getBytes(StandardCharsets.US_ASCII));
        assertThat(input.read(new byte[1], 0, 1)).isEqualTo(-1);
    }
}
