package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

public class CommandArgsValidator implements ConstraintValidator<CommandArgs, List<String>> {
    private boolean required;

    @Override
    public void initialize(CommandArgs annotation) {
        this.required = annotation.required();
    }

    @Override
    public boolean isValid(List<String> cmd, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(cmd, required), context);
    }

    public static Optional<Rejection> check(List<String> cmd, boolean required) {
        if (required) {
            if (cmd == null || cmd.isEmpty() || cmd.stream().anyMatch(c -> c == null || c.isEmpty())) {
                return Rejection.of(ErrorCode.INVALID_PARAMS, "must be a non-empty list of non-empty strings, e.g. [\"ls\", \"-l\"]");
            }
        } else if (cmd != null && cmd.stream().anyMatch(Objects::isNull)) {
            return Rejection.of(ErrorCode.INVALID_PARAMS, "entries cannot be null");
        }
        return Optional.empty();
    }
}
