package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

public class AbsolutePathValidator implements ConstraintValidator<AbsolutePath, String> {

    @Override
    public boolean isValid(String path, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(path), context);
    }

    /** Absent or blank means the image's default, which is fine. */
    public static Optional<Rejection> check(String path) {
        if (path != null && !path.isBlank() && !path.startsWith("/")) {
            return Rejection.of(ErrorCode.INVALID_PARAMS, "'%s' must be an absolute path", path);
        }
        return Optional.empty();
    }
}
