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

/** A list of binds that mounts nothing twice at the same dest: 1040 otherwise. */
@Documented
@Constraint(validatedBy = DistinctDestsValidator.class)
@Target({FIELD, METHOD, PARAMETER, ANNOTATION_TYPE, TYPE_USE})
@Retention(RUNTIME)
public @interface DistinctDests {
    /** Never shown: the validator words each message with the value it rejects. */
    String message() default "a dest is mounted twice";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
