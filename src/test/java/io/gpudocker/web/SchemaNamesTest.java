package io.gpudocker.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document names each schema after its type: two request or response types under one name are
 * merged into one schema, and a client generated from the document sends the wrong body. Every type a
 * controller takes or answers (and every type inside them) must have a name of its own; and every request's
 * documented example must be a body the service accepts.
 */
class SchemaNamesTest {
    private static final ValidatorFactory FACTORY = Validation.buildDefaultValidatorFactory();
    private static final Validator VALIDATOR = FACTORY.getValidator();
    private static final JsonMapper STRICT = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    @AfterAll
    static void close() { FACTORY.close(); }

    @Test
    void everyRequestAndResponseTypeHasASchemaNameOfItsOwn() {
        Map<String, Set<Class<?>>> byName = new LinkedHashMap<>();
        for (Class<?> type : apiTypes(false)) {
            byName.computeIfAbsent(schemaName(type), n -> new LinkedHashSet<>()).add(type);
        }
        assertThat(byName).as("API types").hasSizeGreaterThan(20);
        byName.forEach((name, types) -> assertThat(types).as("types documented under the schema name '%s'", name).hasSize(1));
    }

    @Test
    void everyDocumentedRequestExampleIsABodyTheServiceAccepts() {
        List<Class<?>> requests = apiTypes(true);
        assertThat(requests).as("request bodies").hasSizeGreaterThanOrEqualTo(8);
        for (Class<?> type : requests) {
            JsonNode example = example(type);
            Object body = STRICT.treeToValue(example, type);
            Set<ConstraintViolation<Object>> violations = VALIDATOR.validate(body);
            assertThat(violations).as("the documented example of %s, %s", schemaName(type), example).isEmpty();
        }
    }

    /** The name springdoc gives the type's schema. */
    static String schemaName(Class<?> type) {
        Schema schema = type.getAnnotation(Schema.class);
        return schema != null && !schema.name().isEmpty() ? schema.name() : type.getSimpleName();
    }

    /** The types documented handlers answer and take, and every record inside them; {@code requestsOnly}: the request bodies alone. */
    static List<Class<?>> apiTypes(boolean requestsOnly) {
        Set<Class<?>> found = new LinkedHashSet<>();
        for (Class<?> controller : controllers()) {
            for (Method m : controller.getDeclaredMethods()) {
                if (m.isAnnotationPresent(io.swagger.v3.oas.annotations.Hidden.class)) {
                    continue; // not in the document (the calls between the nodes of a move): no schema, no example
                }
                for (Parameter p : m.getParameters()) {
                    if (p.isAnnotationPresent(RequestBody.class)) {
                        collect(p.getParameterizedType(), found, !requestsOnly);
                    }
                }
                if (!requestsOnly) {
                    collect(m.getGenericReturnType(), found, true);
                }
            }
        }
        return new ArrayList<>(found);
    }

    private static List<Class<?>> controllers() {
        var scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
        List<Class<?>> result = new ArrayList<>();
        for (BeanDefinition bd : scanner.findCandidateComponents("io.gpudocker")) {
            try {
                result.add(Class.forName(bd.getBeanClassName()));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        assertThat(result).as("controllers").hasSizeGreaterThanOrEqualTo(4);
        return result;
    }

    private static void collect(Type type, Set<Class<?>> found, boolean nested) {
        if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), found, nested);
            for (Type arg : p.getActualTypeArguments()) {
                collect(arg, found, nested);
            }
        } else if (type instanceof Class<?> c && c.isRecord() && c.getPackageName().startsWith("io.gpudocker") && found.add(c) && nested) {
            for (RecordComponent rc : c.getRecordComponents()) {
                collect(rc.getGenericType(), found, true);
            }
        }
    }

    /** The type's own example, or one made of its fields' examples, as springdoc shows it. */
    private static JsonNode example(Class<?> type) {
        Schema schema = type.getAnnotation(Schema.class);
        if (schema != null && !schema.example().isEmpty()) {
            return STRICT.readTree(schema.example());
        }
        ObjectNode node = STRICT.createObjectNode();
        for (RecordComponent rc : type.getRecordComponents()) {
            Schema field = rc.getAccessor().getAnnotation(Schema.class);
            if (field == null) {
                field = fieldSchema(type, rc.getName());
            }
            if (field != null && !field.example().isEmpty()) {
                node.set(rc.getName(), parse(field.example()));
            } else if (rc.getType().isRecord()) {
                node.set(rc.getName(), example(rc.getType()));
            }
        }
        return node;
    }

    private static Schema fieldSchema(Class<?> type, String name) {
        try {
            return type.getDeclaredField(name).getAnnotation(Schema.class);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    /** An example is JSON where it parses as JSON ({@code 2}, {@code ["22"]}), else a plain string ({@code foo}). */
    private static JsonNode parse(String example) {
        try {
            return STRICT.readTree(example);
        } catch (RuntimeException notJson) {
            return STRICT.getNodeFactory().stringNode(example);
        }
    }
}
