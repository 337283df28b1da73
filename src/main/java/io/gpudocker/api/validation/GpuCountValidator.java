package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

public class GpuCountValidator implements ConstraintValidator<GpuCount, Integer> {
    /** More than any single host carries; anything above is a typo, refused before the host's count is even read. */
    public static final int MAX = 1024;

    @Override
    public boolean isValid(Integer count, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(count), context);
    }

    public static Optional<Rejection> check(Integer count) {
        if (count == null) {
            return Optional.empty();
        }
        if (count < 0) {
            return Rejection.of(ErrorCode.GPU_COUNT_INVALID, "must be >= 0, got %d", count);
        }
        if (count > MAX) {
            return Rejection.of(ErrorCode.GPU_COUNT_INVALID, "%d is more GPUs than any host has (at most %d)", count, MAX);
        }
        return Optional.empty();
    }
}
