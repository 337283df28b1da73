package io.gpudocker.move;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBackTest {
    @TempDir
    Path dir;

    @Test
    void aSyncOfTheCopiedTreesIsWaitedForAndAFailedOneIsAnError() throws IOException {
        Files.writeString(dir.resolve("f"), "x");
        WriteBack.now(List.of(dir, dir));
        assertThatThrownBy(() -> WriteBack.now(List.of(dir.resolve("gone"))))
                .isInstanceOf(IOException.class).hasMessageContaining("gone").hasMessageContaining("failed");
    }

    @Test
    void theLoopSyncsUntilClosedAndThenEnds() throws IOException {
        WriteBack w = WriteBack.during(List.of(dir), "t");
        Files.write(dir.resolve("data"), new byte[1 << 20]);
        assertThat(w.running()).isTrue();
        w.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !w.running());
    }

    @Test
    void nothingToCopyRunsNoSync() throws IOException {
        WriteBack.now(List.of());
        WriteBack w = WriteBack.during(List.of(), "t");
        assertThat(w.running()).isFalse();
        w.close();
    }

    @Test
    void theLoopEndsByItselfWhenItsSyncFails() {
        WriteBack w = WriteBack.during(List.of(dir.resolve("gone")), "t");
        await().atMost(Duration.ofSeconds(10)).until(() -> !w.running());
        w.close();
    }
}
