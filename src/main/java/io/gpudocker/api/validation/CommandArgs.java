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

/** A command as a list of arguments: never with null entries; when required, a non-empty list of non-empty strings. 1000 otherwise. */
@Documented
@Constraint(validatedBy = CommandArgsValidator.class)
@Target({FIELD, METHOD, PARAMETER, ANNOTATION_TYPE, TYPE_USE})
@Retention(RUNTIME)
public @interface CommandArgs {
    /** Whether the command must be given, with no empty argument, rather than defaulting to the image's. */
    boolean required() default false;

    /** Never shown: the validator words each message with the value it rejects. */
    String message() default "invalid command";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
