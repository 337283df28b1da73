package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

public class EnvEntriesValidator implements ConstraintValidator<EnvEntries, List<String>> {
    private static final Pattern ENTRY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*=.*", Pattern.DOTALL);

    @Override
    public boolean isValid(List<String> env, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(env), context);
    }

    public static Optional<Rejection> check(List<String> env) {
        for (String e : env == null ? List.<String>of() : env) {
            if (e == null || !ENTRY.matcher(e).matches()) {
                return Rejection.of(ErrorCode.INVALID_PARAMS, "entry '%s' must look like KEY=value", e);
            }
        }
        return Optional.empty();
    }
}
