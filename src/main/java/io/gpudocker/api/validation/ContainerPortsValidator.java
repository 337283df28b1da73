package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class ContainerPortsValidator implements ConstraintValidator<ContainerPorts, List<String>> {
    private static final Pattern PORT = Pattern.compile("(\\d{1,5})(/(tcp|udp|sctp))?");

    @Override
    public boolean isValid(List<String> ports, ConstraintValidatorContext context) {
        return RejectionReporter.passes(check(ports), context);
    }

    public static Optional<Rejection> check(List<String> ports) {
        Set<String> seen = new HashSet<>();
        for (String p : ports == null ? List.<String>of() : ports) {
            Matcher m = p == null ? null : PORT.matcher(p.trim());
            if (m == null || !m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(1)) > 65535) {
                return Rejection.of(ErrorCode.INVALID_PARAMS, "entry '%s' must be a port 1-65535, optionally with /tcp, /udp or /sctp", p);
            }
            if (!seen.add(normalize(p))) {
                return Rejection.of(ErrorCode.INVALID_PARAMS, "entry '%s' is listed twice", p);
            }
        }
        return Optional.empty();
    }

    /** "22" and "22/tcp" are the same port, as Docker reads them; only for ports {@link #check} accepts. */
    public static String normalize(String port) {
        String p = port.trim();
        return p.contains("/") ? p : p + "/tcp";
    }
}
