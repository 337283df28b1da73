package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import io.gpudocker.common.ByteSizes;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.math.BigDecimal;
import java.util.Optional;

/** The rule and the parser are one piece of code: {@link #bytes} reads what {@link #check} lets through. */
public class MemorySizeValidator implements ConstraintValidator<MemorySize, String> {
    /** No host has more memory than this; a bigger number is a typo. */
    public static final long MAX_BYTES = 1024L * 1024 * 1024 * 1024 * 1024;

    @Override
    public boolean isValid(String size, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(size), context);
    }

    public static Optional<Rejection> check(String text) {
        if (text == null || text.isBlank() || text.trim().equals("0")) {
            return Optional.empty();
        }
        Optional<BigDecimal> bytes = ByteSizes.bytesOf(text);
        if (bytes.isEmpty()) {
            return Rejection.of(ErrorCode.MEMORY_INVALID, "'%s' is invalid: expected a number followed by KB, MB, GB or TB, e.g. 32GB, or 0 for no limit (units are 1024-based)", text);
        }
        if (bytes.get().compareTo(BigDecimal.valueOf(MAX_BYTES)) > 0) {
            return Rejection.of(ErrorCode.MEMORY_INVALID, "'%s' is invalid: larger than 1024TB", text);
        }
        return Optional.empty();
    }

    /** The bytes of a valid text: null when absent (the default applies), 0 for "0" (no limit). */
    public static Long bytes(String text, String field) {
        Rejection.raise(check(text), field);
        if (text == null || text.isBlank()) {
            return null;
        }
        return text.trim().equals("0") ? 0L : ByteSizes.bytesOf(text).orElseThrow().longValueExact();
    }
}
