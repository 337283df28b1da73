package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import java.util.Optional;

/** A count of things a host has (GPUs, cores): absent, or from 0 up to more than any host carries. */
final class CountBounds {
    private CountBounds() {}

    static Optional<Rejection> check(Integer count, int max, ErrorCode code, String things) {
        if (count == null) {
            return Optional.empty();
        }
        if (count < 0) {
            return Rejection.of(code, "must be >= 0, got %d", count);
        }
        if (count > max) {
            return Rejection.of(code, "%d is more " + things + " than any host has (at most %d)", count, max);
        }
        return Optional.empty();
    }
}
