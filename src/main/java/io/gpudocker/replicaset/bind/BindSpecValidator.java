package io.gpudocker.replicaset.bind;

import io.gpudocker.api.validation.RejectionReporter;
import io.gpudocker.api.validation.Rejection;
import io.gpudocker.api.validation.NameSyntax;
import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

public class BindSpecValidator implements ConstraintValidator<BindSpec, Bind> {

    @Override
    public boolean isValid(Bind bind, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(bind), context);
    }

    public static Optional<Rejection> check(Bind b) {
        if (b == null || b.src() == null || b.src().isBlank() || b.dest() == null || b.dest().isBlank()) {
            return Rejection.of(ErrorCode.BIND_INVALID, "needs a non-empty src and dest");
        }
        if (!b.dest().startsWith("/")) {
            return Rejection.of(ErrorCode.BIND_INVALID, "dest '%s' must be an absolute path", b.dest());
        }
        if (normalizeDest(b.dest()).equals("/")) {
            return Rejection.of(ErrorCode.BIND_INVALID, "dest '%s' would hide the system disk; mount below it", b.dest());
        }
        // ':' and ',' would split Docker's "src:dest:options" bind string; '..' would climb out of the mount point
        if (b.src().contains(":") || b.dest().contains(":") || b.src().contains(",") || b.dest().contains("..")) {
            return Rejection.of(ErrorCode.BIND_INVALID, "'%s' -> '%s' contains ':', ',' or '..'", b.src(), b.dest());
        }
        // a volume is named by its versioned Docker name too ("data-2"), hence the '-' allowed here
        if (!b.isHostPath() && !NameSyntax.CHARACTERS.matcher(b.src().replace("-", "")).matches()) {
            return Rejection.of(ErrorCode.BIND_INVALID, "src '%s' is neither an absolute host path nor a volume name", b.src());
        }
        return Optional.empty();
    }

    /** "/x//y/" and "/x/y" are the same mount point. */
    static String normalizeDest(String path) {
        String p = path.replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
