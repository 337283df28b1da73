package io.gpudocker.api.validation;

import io.gpudocker.api.ErrorCode;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.hibernate.validator.engine.HibernateConstraintViolation;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.core.MethodParameter;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;

/**
 * The answer to invalid input: the error code of the first invalid field, in the order the fields are declared
 * (handler parameters in order, a body's fields at its parameter's place), and a message that lists every
 * violation, "field reason; ...".
 * A violation without a code of its own (a plain {@code @Size}, say) counts as {@link ErrorCode#INVALID_PARAMS}.
 * {@code field} is the property path of that first field ("gpuCount", "binds[1]", a path variable's name), the one
 * {@code code} is about; null when the first violation belongs to no field (a cross-parameter rule).
 */
public record ValidationFailure(ErrorCode code, String message, String field) {
    private static final int SHOWN_VALUE = 80;
    private static final List<Integer> AFTER_PARAMETERS = List.of(Integer.MAX_VALUE);

    public static ValidationFailure of(MethodArgumentNotValidException e) {
        Object target = e.getBindingResult().getTarget();
        Type body = target != null ? target.getClass() : e.getParameter().getGenericParameterType();
        List<Finding> findings = new ArrayList<>();
        for (ObjectError error : e.getBindingResult().getAllErrors()) {
            findings.add(Finding.fromError(error, List.of(), body));
        }
        return summarize(findings);
    }

    public static ValidationFailure of(HandlerMethodValidationException e) {
        List<Finding> findings = new ArrayList<>();
        for (ParameterValidationResult result : e.getParameterValidationResults()) {
            findings.addAll(Finding.fromParameter(result));
        }
        for (MessageSourceResolvable error : e.getCrossParameterValidationResults()) {
            findings.add(new Finding(AFTER_PARAMETERS, "", null, error.getDefaultMessage(), null));
        }
        return summarize(findings);
    }

    public static ValidationFailure of(ConstraintViolationException e) {
        return summarize(e.getConstraintViolations().stream().map(Finding::fromViolation).toList());
    }

    private static ValidationFailure summarize(List<Finding> unordered) {
        List<Finding> findings = unordered.stream()
                .sorted(Comparator.comparing(Finding::order, DeclarationOrder.KEYS)
                        // on one field, the domain rule says more than a generic constraint
                        .thenComparing(f -> f.code() == null))
                .toList();
        if (findings.isEmpty()) {
            return new ValidationFailure(ErrorCode.INVALID_PARAMS, "invalid request", null);
        }
        Finding first = findings.get(0);
        ErrorCode code = first.code() == null ? ErrorCode.INVALID_PARAMS : first.code();
        return new ValidationFailure(code, findings.stream().map(Finding::text).distinct().collect(Collectors.joining("; ")),
                first.field() == null || first.field().isEmpty() ? null : first.field());
    }

    /** The code a rule attached to its violation, or null for constraints that attach none. */
    static ErrorCode codeOf(ConstraintViolation<?> violation) {
        return violation instanceof HibernateConstraintViolation<?> hibernate ? hibernate.getDynamicPayload(ErrorCode.class) : null;
    }

    /** One violation: where its field is declared, its name, code and message, and the value if the message lacks it. */
    private record Finding(List<Integer> order, String field, ErrorCode code, String message, Object shownValue) {

        static Finding fromError(ObjectError error, List<Integer> prefix, Type root) {
            ConstraintViolation<?> violation = error.contains(ConstraintViolation.class) ? error.unwrap(ConstraintViolation.class) : null;
            String field = error instanceof FieldError f ? f.getField() : "";
            Object value = error instanceof FieldError f ? f.getRejectedValue() : null;
            return create(concat(prefix, DeclarationOrder.key(root, field)), field, violation, error.getDefaultMessage(), value);
        }

        static List<Finding> fromParameter(ParameterValidationResult result) {
            MethodParameter parameter = result.getMethodParameter();
            List<Integer> order = new ArrayList<>(List.of(parameter.getParameterIndex()));
            String name = parameter.getParameterName() != null ? parameter.getParameterName() : "arg" + parameter.getParameterIndex();
            if (result.getContainerIndex() != null) {
                order.add(result.getContainerIndex());
                name += "[" + result.getContainerIndex() + "]";
            }
            Type bean = result.getArgument() != null ? result.getArgument().getClass() : parameter.getGenericParameterType();
            List<Finding> findings = new ArrayList<>();
            for (MessageSourceResolvable error : result.getResolvableErrors()) {
                if (error instanceof ObjectError objectError) {
                    // a @Valid body checked along with constrained path variables: its fields, as in a plain body
                    findings.add(fromError(objectError, order, bean));
                } else {
                    ConstraintViolation<?> violation = result.unwrap(error, ConstraintViolation.class);
                    findings.add(create(order, name, violation, error.getDefaultMessage(), result.getArgument()));
                }
            }
            return findings;
        }

        static Finding fromViolation(ConstraintViolation<?> violation) {
            List<Path.Node> nodes = PropertyPaths.nodes(violation);
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i).getKind() == ElementKind.PARAMETER) {
                    int index = nodes.get(i).as(Path.ParameterNode.class).getParameterIndex();
                    Object[] arguments = violation.getExecutableParameters();
                    Object argument = arguments != null && index < arguments.length ? arguments[index] : null;
                    String inside = PropertyPaths.field(nodes.subList(i + 1, nodes.size()));
                    List<Integer> order = concat(List.of(index), argument == null ? List.of() : DeclarationOrder.key(argument.getClass(), inside));
                    // a body's fields read as in a plain body ("workDir"); a constrained parameter by its own name
                    String field = inside.isEmpty() ? PropertyPaths.field(nodes) : inside;
                    return create(order, field, violation, violation.getMessage(), violation.getInvalidValue());
                }
            }
            String field = PropertyPaths.field(nodes);
            return create(DeclarationOrder.key(violation.getRootBeanClass(), field), field, violation, violation.getMessage(), violation.getInvalidValue());
        }

        private static Finding create(List<Integer> order, String field, ConstraintViolation<?> violation, String message, Object value) {
            ErrorCode code = violation == null ? null : codeOf(violation);
            // a rule's own message quotes the value already; a generic one ("size must be ...") does not
            return new Finding(order, field, code, message, code == null ? abbreviate(value) : null);
        }

        String text() {
            String text = Rejection.describe(field, message);
            return shownValue == null ? text : text + " (got " + shownValue + ")";
        }

        private static String abbreviate(Object value) {
            String text = String.valueOf(value);
            return text.length() <= SHOWN_VALUE ? text : text.substring(0, SHOWN_VALUE) + "...";
        }

        private static List<Integer> concat(List<Integer> a, List<Integer> b) {
            List<Integer> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }
    }
}
