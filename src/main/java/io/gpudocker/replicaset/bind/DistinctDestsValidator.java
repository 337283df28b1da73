package io.gpudocker.replicaset.bind;

import io.gpudocker.api.validation.RejectionReporter;
import io.gpudocker.api.validation.Rejection;
import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

public class DistinctDestsValidator implements ConstraintValidator<DistinctDests, List<Bind>> {

    @Override
    public boolean isValid(List<Bind> binds, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(binds), context);
    }

    /** Binds without a dest are {@link BindSpec}'s to report; they are skipped here. */
    public static Optional<Rejection> check(List<Bind> binds) {
        if (binds == null) {
            return Optional.empty();
        }
        Map<String, Integer> firstAt = new HashMap<>();
        for (int i = 0; i < binds.size(); i++) {
            Bind b = binds.get(i);
            if (b == null || b.dest() == null || b.dest().isBlank()) {
                continue;
            }
            Integer earlier = firstAt.putIfAbsent(BindSpecValidator.normalizeDest(b.dest()), i);
            if (earlier != null) {
                return Rejection.of(ErrorCode.BIND_INVALID, "mount dest '%s' twice (entries %d and %d)", b.dest(), earlier, i);
            }
        }
        return Optional.empty();
    }
}
