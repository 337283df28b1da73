package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

public class VolumeNameValidator implements ConstraintValidator<VolumeName, String> {

    @Override
    public boolean isValid(String name, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(name), context);
    }

    public static Optional<Rejection> check(String name) {
        if (name == null || name.isBlank()) {
            return Rejection.of(ErrorCode.VOLUME_NAME_EMPTY, "cannot be empty");
        }
        if (name.startsWith("/")) {
            return Rejection.of(ErrorCode.VOLUME_NAME_SLASH, "'%s' must not begin with '/' (that would be a host path, not a volume)", name);
        }
        if (name.contains("-")) {
            return Rejection.of(ErrorCode.VOLUME_NAME_INVALID,
                    "'%s' cannot contain '-' (it separates the name from the version in Docker volume names)", name);
        }
        if (!NameSyntax.wellFormed(name)) {
            return Rejection.of(ErrorCode.VOLUME_NAME_INVALID, "'%s' %s", name, NameSyntax.RULE);
        }
        return Optional.empty();
    }
}
