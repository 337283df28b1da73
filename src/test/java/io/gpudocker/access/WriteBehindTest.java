package io.gpudocker.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class WriteBehindTest {

    @Test
    void everythingWrittenReachesTheSinkInOrderBeforeCloseReturnsAndTheSinkIsClosed() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        ByteArrayOutputStream got = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        WriteBehind out = new WriteBehind(got, 16, "test-writer");
        byte[] reused = new byte[4];
        for (int i = 0; i < 100; i++) {
            byte[] piece = String.format("%04d", i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(piece, 0, reused, 0, 4);
            out.write(reused, 0, 4); // the caller's buffer is its own again once write returns
        }
        out.close();
        assertThat(closed).isTrue();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            expected.append(String.format("%04d", i));
        }
        assertThat(got.toString(StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
    }

    @Test
    void aWriterWaitsWhileTheSinkIsTheLimitBehind() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                got.write(b, off, len);
            }
        };
        WriteBehind out = new WriteBehind(slow, 8, "test-writer");
        out.write(new byte[8], 0, 8);
        CountDownLatch secondDone = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                out.write(new byte[8], 0, 8);
                secondDone.countDown();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        assertThat(secondDone.await(200, TimeUnit.MILLISECONDS)).as("8 bytes behind already").isFalse();
        release.countDown();
        assertThat(secondDone.await(5, TimeUnit.SECONDS)).isTrue();
        out.close();
        assertThat(got.size()).isEqualTo(16);
    }

    @Test
    void theSinksFailureIsTheAnswerToALaterWriteAndToTheClose() throws Exception {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        WriteBehind out = new WriteBehind(broken, 1024, "test-writer");
        out.write(new byte[10], 0, 10);
        long deadline = System.currentTimeMillis() + 5000;
        IOException failed = null;
        while (failed == null && System.currentTimeMillis() < deadline) {
            try {
                out.write(new byte[10], 0, 10);
                Thread.sleep(10);
            } catch (IOException e) {
                failed = e;
            }
        }
        assertThat(failed).hasMessageContaining("No space left");
        assertThatThrownBy(out::close).hasMessageContaining("No space left");
    }

    @Test
    void anAbortEndsTheThreadWithoutWritingTheRest() throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                got.write(b, off, len);
            }
        };
        WriteBehind out = new WriteBehind(stuck, 1024, "test-writer");
        out.abort();
        assertThatThrownBy(() -> out.write(new byte[1], 0, 1)).isInstanceOf(IOException.class);
        assertThat(got.size()).isZero();
    }
}
