package io.gpudocker.telemetry;

import io.gpudocker.common.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.replicaset.ReplicaSetRepository;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TelemetryQueriesTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));
    private final TelemetryQueries queries = new TelemetryQueries(mock(ReplicaSetRepository.class), null, null, "local", Duration.ofSeconds(5), clock);

    @Test
    void sinceIsAnInstantOrADurationBackFromNow() {
        assertThat(queries.since(null)).isNull();
        assertThat(queries.since("2026-01-01T09:00:00Z")).isEqualTo(Instant.parse("2026-01-01T09:00:00Z"));
        assertThat(queries.since("15m")).isEqualTo(Instant.parse("2026-01-01T09:45:00Z"));
        assertThat(queries.since("PT30S")).isEqualTo(Instant.parse("2026-01-01T09:59:30Z"));
    }

    @Test
    void anythingElseIsRefusedNamingTheValue() {
        for (String bad : new String[] {"yesterday", "-5m", "2026-13-01T00:00:00Z"}) {
            assertThatThrownBy(() -> queries.since(bad)).as(bad).isInstanceOf(ApiException.class)
                    .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.SINCE_INVALID))
                    .hasMessageContaining(bad);
        }
    }
}
