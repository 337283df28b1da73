package io.gpudocker.volume;

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

/** A volume size such as 20GB (units KB, MB, GB, TB, 1024-based): 1029 otherwise. */
@Documented
@Constraint(validatedBy = VolumeSizeTextValidator.class)
@Target({FIELD, METHOD, PARAMETER, ANNOTATION_TYPE, TYPE_USE})
@Retention(RUNTIME)
public @interface VolumeSizeText {
    /** Whether the size must be given; an optional size may be absent or blank. */
    boolean required() default false;

    /** Never shown: the validator words each message with the value it rejects. */
    String message() default "invalid volume size";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
