package io.gpudocker.web;

import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.ApiResponse;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.api.validation.ReplicaSetName;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.replicaset.ReplicaSetRequests;
import io.gpudocker.replicaset.ReplicaSetRequests.Create;
import io.gpudocker.replicaset.ReplicaSetRequests.Execute;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Valid;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.lang.reflect.Method;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.MethodParameter;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.BeanPropertyBindingResult;
import org.springframework.validation.beanvalidation.MethodValidationAdapter;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;

/**
 * The envelope a client gets for invalid input, from the exceptions Spring raises out of real validation results:
 * the code of the first invalid field in declaration order, its status, and every violation in the message.
 */
class ValidationErrorResponseTest {
    private static final ValidatorFactory FACTORY = Validation.buildDefaultValidatorFactory();
    private static final Validator VALIDATOR = FACTORY.getValidator();
    private final GlobalExceptionHandler handler = new GlobalExceptionHandler();

    @AfterAll
    static void close() { FACTORY.close(); }

    private ResponseEntity<ApiResponse<Void>> answerToBody(Create body) throws Exception {
        BeanPropertyBindingResult errors = new BeanPropertyBindingResult(body, "create");
        new SpringValidatorAdapter(VALIDATOR).validate(body, errors);
        Method create = Endpoint.class.getMethod("create", Create.class);
        return handler.invalid(new MethodArgumentNotValidException(new MethodParameter(create, 0), errors));
    }

    private static Create create(String image, String name, Integer gpus, List<Bind> binds, List<String> ports) {
        return new Create(image, name, gpus, binds, List.of("A=1"), List.of("sleep", "1"), ports, null, null, null, null);
    }

    @Test
    void firstInvalidFieldInDeclarationOrderGivesTheCode() throws Exception {
        var r = answerToBody(create("", "a-b", -1, List.of(), List.of("http")));
        assertThat(r.getStatusCode().value()).isEqualTo(400);
        assertThat(r.getBody().code()).isEqualTo(1001);
        assertThat(r.getBody().msg()).isEqualTo("imageName cannot be empty; "
                + "replicaSetName 'a-b' cannot contain '-' (it separates the name from the version in container names); "
                + "gpuCount must be >= 0, got -1; "
                + "containerPorts entry 'http' must be a port 1-65535, optionally with /tcp, /udp or /sctp");

        var later = answerToBody(create("img", "foo", 100000, List.of(), List.of("70000")));
        assertThat(later.getBody().code()).isEqualTo(1012);
        assertThat(later.getBody().msg()).startsWith("gpuCount 100000 is more GPUs than any host has").contains("containerPorts entry '70000'");
    }

    @Test
    void bindsAreOrderedByIndexAndTheListBeforeItsEntries() throws Exception {
        var r = answerToBody(create("img", "foo", 0,
                List.of(new Bind("/a", "/x"), new Bind("/b", "rel"), new Bind("/c", "/x/"), new Bind("/d", "/")), List.of()));
        assertThat(r.getBody().code()).isEqualTo(1040);
        assertThat(r.getBody().msg()).isEqualTo("binds mount dest '/x/' twice (entries 0 and 2); "
                + "binds[1] dest 'rel' must be an absolute path; "
                + "binds[3] dest '/' would hide the system disk; mount below it");
    }

    @Test
    void aConstraintWithoutACodeIsA1000AndShowsTheValue() throws Exception {
        List<Bind> tooMany = IntStream.range(0, 65).mapToObj(i -> new Bind("/a", "/x" + i)).toList();
        var r = answerToBody(create("img", "foo", 0, tooMany, List.of()));
        assertThat(r.getStatusCode().value()).isEqualTo(400);
        assertThat(r.getBody().code()).isEqualTo(1000);
        assertThat(r.getBody().msg()).startsWith("binds size must be between 0 and 64 (got [Bind[src=/a, dest=/x0]").endsWith("...)");
    }

    @Test
    void nestedFieldsFollowTheirParentsOrder() throws Exception {
        var body = new ReplicaSetRequests.Patch(new ReplicaSetRequests.GpuPatch(-2),
                new ReplicaSetRequests.VolumePatch(null, new Bind("/a", "rel")));
        BeanPropertyBindingResult errors = new BeanPropertyBindingResult(body, "patch");
        new SpringValidatorAdapter(VALIDATOR).validate(body, errors);
        Method patch = Endpoint.class.getMethod("patch", String.class, ReplicaSetRequests.Patch.class);
        var r = handler.invalid(new MethodArgumentNotValidException(new MethodParameter(patch, 1), errors));
        assertThat(r.getBody().code()).isEqualTo(1012);
        assertThat(r.getBody().msg()).isEqualTo("gpuPatch.gpuCount must be >= 0, got -2; "
                + "volumePatch.oldBind needs a non-empty src and dest; "
                + "volumePatch.newBind dest 'rel' must be an absolute path");
    }

    /** A controller method as the services' callers will write it: a constrained path variable and a checked body. */
    static final class Endpoint {
        public void execute(@ReplicaSetName String name, @Valid Execute body) {}

        public void create(@Valid Create body) {}

        public void patch(@ReplicaSetName String name, @Valid ReplicaSetRequests.Patch body) {}
    }

    private static Method execute() throws NoSuchMethodException {
        return Endpoint.class.getMethod("execute", String.class, Execute.class);
    }

    @Test
    void methodValidationPutsParametersFirstThenBodyFields() throws Exception {
        var result = new MethodValidationAdapter(VALIDATOR).validateArguments(new Endpoint(), execute(), null,
                new Object[] {"a-b", new Execute("etc", List.of())}, new Class<?>[0]);
        var r = handler.invalidParameters(new HandlerMethodValidationException(result));
        assertThat(r.getStatusCode().value()).isEqualTo(400);
        assertThat(r.getBody().code()).isEqualTo(1003);
        assertThat(r.getBody().msg()).isEqualTo("name 'a-b' cannot contain '-' (it separates the name from the version in container names); "
                + "workDir 'etc' must be an absolute path; "
                + "cmd must be a non-empty list of non-empty strings, e.g. [\"ls\", \"-l\"]");

        var bodyOnly = new MethodValidationAdapter(VALIDATOR).validateArguments(new Endpoint(), execute(), null,
                new Object[] {"foo", new Execute("/root", List.of(""))}, new Class<?>[0]);
        var onlyBody = handler.invalidParameters(new HandlerMethodValidationException(bodyOnly));
        assertThat(onlyBody.getBody().code()).isEqualTo(1000);
        assertThat(onlyBody.getBody().msg()).startsWith("cmd must be a non-empty list");
    }

    @Test
    void constraintViolationExceptionAnswersLikeMethodValidation() throws Exception {
        var violations = VALIDATOR.forExecutables().validateParameters(new Endpoint(), execute(),
                new Object[] {"", new Execute("etc", null)});
        var r = handler.violation(new ConstraintViolationException(violations));
        assertThat(r.getStatusCode().value()).isEqualTo(400);
        assertThat(r.getBody().code()).isEqualTo(1002);
        assertThat(r.getBody().msg()).isEqualTo("name cannot be empty; workDir 'etc' must be an absolute path; "
                + "cmd must be a non-empty list of non-empty strings, e.g. [\"ls\", \"-l\"]");
    }

    @Test
    void statusComesFromTheCode() throws Exception {
        var r = answerToBody(create("img", "", 0, List.of(), List.of()));
        assertThat(r.getStatusCode()).isEqualTo(ErrorCode.REPLICASET_NAME_EMPTY.status());
        assertThat(r.getBody().code()).isEqualTo(1002);
        assertThat(r.getBody().msg()).isEqualTo("replicaSetName cannot be empty");
    }
}
