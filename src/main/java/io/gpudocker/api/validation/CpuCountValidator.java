package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

public class CpuCountValidator implements ConstraintValidator<CpuCount, Integer> {
    /** More cores than any single host has; anything above is a typo, refused before the host's pool is read. */
    public static final int MAX = 4096;

    @Override
    public boolean isValid(Integer count, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(count), context);
    }

    public static Optional<Rejection> check(Integer count) {
        return CountBounds.check(count, MAX, ErrorCode.CPU_COUNT_INVALID, "cores");
    }
}
