package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;
import java.util.regex.Pattern;

public class ImageReferenceValidator implements ConstraintValidator<ImageReference, String> {
    /** Loose on purpose: Docker itself judges the reference; this only keeps out what cannot be one. */
    private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@\\-]*");
    private static final int MAX_LENGTH = 255;

    @Override
    public boolean isValid(String image, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(image), context);
    }

    public static Optional<Rejection> check(String image) {
        if (image == null || image.isBlank()) {
            return Rejection.of(ErrorCode.IMAGE_NAME_EMPTY, "cannot be empty");
        }
        if (!REFERENCE.matcher(image).matches() || image.length() > MAX_LENGTH) {
            return Rejection.of(ErrorCode.INVALID_PARAMS, "'%s' is not a valid image reference", image);
        }
        return Optional.empty();
    }
}
