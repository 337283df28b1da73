package io.gpudocker.api.validation;

import static java.lang.annotation.ElementType.ANNOTATION_TYPE;
import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/** A CPU core count: absent means the default share, 0 no pinning; 1080 when negative or absurdly large. */
@Documented
@Constraint(validatedBy = CpuCountValidator.class)
@Target({FIELD, METHOD, PARAMETER, ANNOTATION_TYPE, TYPE_USE})
@Retention(RUNTIME)
public @interface CpuCount {
    /** Never shown: the validator words each message with the value it rejects. */
    String message() default "invalid CPU count";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
