package io.gpudocker.volume;

import io.gpudocker.api.validation.RejectionReporter;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

/** The rule itself is {@link VolumeSize#check}, next to the parser it guards. */
public class VolumeSizeTextValidator implements ConstraintValidator<VolumeSizeText, String> {
    private boolean required;

    @Override
    public void initialize(VolumeSizeText annotation) {
        this.required = annotation.required();
    }

    @Override
    public boolean isValid(String size, ConstraintValidatorContext context) {
        boolean absent = size == null || size.isBlank();
        return RejectionReporter.passes(absent && !required ? Optional.empty() : VolumeSize.check(size), context);
    }
}
