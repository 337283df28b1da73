package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;
import java.util.regex.Pattern;

public class NewImageNameValidator implements ConstraintValidator<NewImageName, String> {
    /** Stricter than a reference to run: Docker refuses to tag an image with upper case or a digest. */
    private static final Pattern NAME = Pattern.compile(
            "[a-z0-9]+([._\\-]+[a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._\\-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,127})?");

    @Override
    public boolean isValid(String image, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(image), context);
    }

    public static Optional<Rejection> check(String image) {
        if (image == null || image.isBlank()) {
            return Rejection.of(ErrorCode.IMAGE_NAME_EMPTY, "cannot be empty");
        }
        if (!NAME.matcher(image).matches()) {
            return Rejection.of(ErrorCode.INVALID_PARAMS, "'%s' is not a valid image name (lower-case repository, optional :tag)", image);
        }
        return Optional.empty();
    }
}
