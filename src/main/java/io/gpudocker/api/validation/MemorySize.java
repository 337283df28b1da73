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

/**
 * A memory or shared-memory size such as 32GB (units KB, MB, GB, TB, 1024-based, as volume sizes), or "0" for
 * no limit; absent means the default. 1082 otherwise.
 */
@Documented
@Constraint(validatedBy = MemorySizeValidator.class)
@Target({FIELD, METHOD, PARAMETER, ANNOTATION_TYPE, TYPE_USE})
@Retention(RUNTIME)
public @interface MemorySize {
    /** Never shown: the validator words each message with the value it rejects. */
    String message() default "invalid memory size";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
