package io.gpudocker.replicaset.bind;

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

/** One mount: src a host path or volume name, dest an absolute path below '/'; 1040 otherwise, also when the bind is absent. */
@Documented
@Constraint(validatedBy = BindSpecValidator.class)
@Target({FIELD, METHOD, PARAMETER, ANNOTATION_TYPE, TYPE_USE})
@Retention(RUNTIME)
public @interface BindSpec {
    /** Never shown: the validator words each message with the value it rejects. */
    String message() default "invalid bind";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
