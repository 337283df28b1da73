package io.gpudocker.api.validation;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a field such as {@code "binds[2].dest"} is declared, as a sort key: component positions and list indexes
 * from the root down. Bean Validation reports violations as an unordered set; sorting by this key makes the first
 * invalid field, and so the error code, the same on every call.
 */
final class DeclarationOrder {
    /** A shorter key is an enclosing field, and comes before the fields inside it. */
    static final Comparator<List<Integer>> KEYS = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)((?:\\[[^\\]]*\\])*)");
    private static final Pattern INDEX = Pattern.compile("\\[([^\\]]*)\\]");
    private static final int UNKNOWN = Integer.MAX_VALUE;

    private DeclarationOrder() {}

    static List<Integer> key(Type root, String field) {
        List<Integer> key = new ArrayList<>();
        Type type = root;
        Matcher segment = SEGMENT.matcher(field == null ? "" : field);
        while (segment.find()) {
            Class<?> owner = raw(type);
            String name = segment.group(1);
            key.add(position(owner, name));
            type = declaredType(owner, name);
            Matcher index = INDEX.matcher(segment.group(2));
            while (index.find()) {
                key.add(parseIndex(index.group(1)));
                type = elementType(type);
            }
        }
        return key;
    }

    private static int position(Class<?> owner, String name) {
        if (owner.isRecord()) {
            RecordComponent[] components = owner.getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                if (components[i].getName().equals(name)) {
                    return i;
                }
            }
            return UNKNOWN;
        }
        // reflection gives fields in declaration order on every JVM in use, though it does not promise it
        Field[] fields = owner.getDeclaredFields();
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].getName().equals(name)) {
                return i;
            }
        }
        return UNKNOWN;
    }

    private static Type declaredType(Class<?> owner, String name) {
        if (owner.isRecord()) {
            for (RecordComponent c : owner.getRecordComponents()) {
                if (c.getName().equals(name)) {
                    return c.getGenericType();
                }
            }
        }
        for (Field f : owner.getDeclaredFields()) {
            if (f.getName().equals(name)) {
                return f.getGenericType();
            }
        }
        return Object.class;
    }

    private static Type elementType(Type container) {
        if (container instanceof ParameterizedType p && p.getActualTypeArguments().length > 0) {
            Type[] args = p.getActualTypeArguments();
            return args[args.length - 1];
        }
        if (container instanceof GenericArrayType a) {
            return a.getGenericComponentType();
        }
        if (container instanceof Class<?> c && c.isArray()) {
            return c.getComponentType();
        }
        return Object.class;
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        return Object.class;
    }

    private static int parseIndex(String index) {
        try {
            return Integer.parseInt(index);
        } catch (NumberFormatException e) {
            return UNKNOWN;  // a map key: no order to keep
        }
    }
}
