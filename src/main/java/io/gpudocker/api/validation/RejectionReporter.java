package io.gpudocker.api.validation;

import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;
import org.hibernate.validator.constraintvalidation.HibernateConstraintValidatorContext;

/** Turns a rule's verdict into a constraint violation that carries the rule's {@link io.gpudocker.api.ErrorCode}. */
public final class RejectionReporter {
    private RejectionReporter() {}

    public static boolean passes(Optional<Rejection> verdict, ConstraintValidatorContext context) {
        if (verdict.isEmpty()) {
            return true;
        }
        Rejection rejection = verdict.get();
        HibernateConstraintValidatorContext hibernate = context.unwrap(HibernateConstraintValidatorContext.class);
        hibernate.withDynamicPayload(rejection.code());
        hibernate.disableDefaultConstraintViolation();
        hibernate.buildConstraintViolationWithTemplate(literal(rejection.reason())).addConstraintViolation();
        return false;
    }

    /** The reason quotes what the user sent; as a message template, "{...}" or "${...}" in it would be evaluated. */
    public static String literal(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            if (c == '\\' || c == '{' || c == '}' || c == '$') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
