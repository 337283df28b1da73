package io.gpudocker.usage;

import java.time.Instant;

/** The interval an instance is in now, kept at its open key: what it holds, and since when. */
public record OpenInterval(Held held, Instant start) {
    public UsageInterval unclosed() {
        return new UsageInterval(held, start, null);
    }
}
