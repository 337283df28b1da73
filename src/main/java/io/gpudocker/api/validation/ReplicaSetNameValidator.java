package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

public class ReplicaSetNameValidator implements ConstraintValidator<ReplicaSetName, String> {

    @Override
    public boolean isValid(String name, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(name), context);
    }

    public static Optional<Rejection> check(String name) {
        if (name == null || name.isBlank()) {
            return Rejection.of(ErrorCode.REPLICASET_NAME_EMPTY, "cannot be empty");
        }
        if (name.contains("-")) {
            return Rejection.of(ErrorCode.REPLICASET_NAME_INVALID,
                    "'%s' cannot contain '-' (it separates the name from the version in container names)", name);
        }
        if (!NameSyntax.wellFormed(name)) {
            return Rejection.of(ErrorCode.REPLICASET_NAME_INVALID, "'%s' %s", name, NameSyntax.RULE);
        }
        return Optional.empty();
    }
}
