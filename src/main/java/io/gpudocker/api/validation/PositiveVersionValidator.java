package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

public class PositiveVersionValidator implements ConstraintValidator<PositiveVersion, Long> {

    @Override
    public boolean isValid(Long version, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(version), context);
    }

    public static Optional<Rejection> check(Long version) {
        if (version == null || version <= 0) {
            return Rejection.of(ErrorCode.VERSION_INVALID, "must be a number greater than 0, got %s", version);
        }
        return Optional.empty();
    }
}
