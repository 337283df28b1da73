package io.gpudocker.api.validation;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.util.Optional;

/**
 * Why a value breaks a rule, and the code clients get for it. The reason reads after the name of the field
 * ("replicaSetName" + " 'a-b' cannot contain '-'"), because one rule guards several fields and only the caller
 * knows which one it is looking at.
 */
public record Rejection(ErrorCode code, String reason) {

    public static Optional<Rejection> of(ErrorCode code, String format, Object... args) {
        return Optional.of(new Rejection(code, String.format(format, args)));
    }

    /** "field reason": the form both the exception handler and hand-written checks answer with. */
    public static String describe(String field, String reason) {
        return field == null || field.isEmpty() ? reason : field + " " + reason;
    }

    public ApiException toException(String field) {
        return new ApiException(code, describe(field, reason)).onField(field);
    }

    /** For code that still checks by hand: the same rule and code as the annotation, as an exception. */
    public static void raise(Optional<Rejection> rejection, String field) {
        if (rejection.isPresent()) {
            throw rejection.get().toException(field);
        }
    }
}
