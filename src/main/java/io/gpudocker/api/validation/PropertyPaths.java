package io.gpudocker.api.validation;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Field names as clients know them ({@code "binds[0]"}, {@code "volumePatch.oldBind"}), written the way Spring
 * writes a FieldError's field, so a violation reads the same whichever exception carries it.
 */
final class PropertyPaths {
    private PropertyPaths() {}

    static String field(ConstraintViolation<?> violation) {
        return field(nodes(violation));
    }

    static List<Path.Node> nodes(ConstraintViolation<?> violation) {
        List<Path.Node> nodes = new ArrayList<>();
        violation.getPropertyPath().forEach(nodes::add);
        return nodes;
    }

    /** Method names are left out; parameter names stay, as they name the path variable or body that was wrong. */
    static String field(List<Path.Node> nodes) {
        StringBuilder field = new StringBuilder();
        for (Path.Node node : nodes) {
            if (node.isInIterable() && !field.isEmpty()) {
                Object index = node.getIndex() != null ? node.getIndex() : node.getKey();
                field.append('[').append(index == null ? "" : index).append(']');
            }
            if (named(node)) {
                if (!field.isEmpty()) {
                    field.append('.');
                }
                field.append(node.getName());
            }
        }
        return field.toString();
    }

    private static boolean named(Path.Node node) {
        boolean fieldLike = node.getKind() == ElementKind.PROPERTY || node.getKind() == ElementKind.PARAMETER;
        // container elements are named "<list element>" and the like: the index already says which one
        return fieldLike && node.getName() != null && !node.getName().startsWith("<");
    }
}
