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
        return CountBounds.check(count, MAX, ErrorCode.GPU_COUNT_INVALID, "GPUs");
    }
}
