package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerSummaryTest {

    @Test
    void aThawedContainerIsSeenRunning() {
        ContainerSummary paused = new ContainerSummary("id", "foo-1", "paused", false, true, Map.of("k", "v"));

        assertThat(paused.thawed()).isEqualTo(new ContainerSummary("id", "foo-1", "running", true, false, Map.of("k", "v")));
    }

    @Test
    void aDetailIsItsSummaryAndWhatInspectAdds() {
        ContainerSummary summary = new ContainerSummary("id", "foo-1", "exited", false, false, null);
        ContainerDetail detail = ContainerDetail.of(summary);

        assertThat(detail.graphDriver()).isNull();
        assertThat(detail.exitCode()).isNull();
        assertThat(detail.labels()).as("none listed: no labels").isEmpty();
        assertThat(detail.label("k")).isNull();
        Instant finished = Instant.parse("2024-03-02T03:17:45Z");
        ContainerDetail full = detail.withStorage("overlay2", "/u/diff").withExit(137, finished);
        assertThat(full).isEqualTo(new ContainerDetail(summary, "overlay2", "/u/diff", 137, finished));
        assertThat(full.id()).isEqualTo("id");
        assertThat(full.name()).isEqualTo("foo-1");
        assertThat(full.status()).isEqualTo("exited");
        assertThat(full.running()).isFalse();
        assertThat(full.paused()).isFalse();
    }
}
