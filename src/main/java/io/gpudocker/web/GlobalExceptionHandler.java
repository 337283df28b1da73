package io.gpudocker.web;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.CodedFailure;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.validation.ValidationFailure;
import jakarta.validation.ConstraintViolationException;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/** Maps every failure to the response envelope and a meaningful HTTP status; user errors log no stack. */
@RestControllerAdvice
public class GlobalExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(GlobalExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ApiResponse<Void>> api(ApiException e) {
        if (e.code().status().is5xxServerError()) {
            log.warn("{} ({}): {}", e.code(), e.code().code(), e.getMessage(), e.getCause());
        } else {
            log.info("rejected {} ({}): {}", e.code(), e.code().code(), e.getMessage());
        }
        return respond(e.code(), e.getMessage(), e.field());
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ResponseEntity<ApiResponse<Void>> invalid(MethodArgumentNotValidException e) {
        return reject(ValidationFailure.of(e));
    }

    /** Raised instead of the above when a handler's parameters carry constraints themselves, e.g. a path variable. */
    @ExceptionHandler(HandlerMethodValidationException.class)
    ResponseEntity<ApiResponse<Void>> invalidParameters(HandlerMethodValidationException e) {
        return reject(ValidationFailure.of(e));
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ResponseEntity<ApiResponse<Void>> violation(ConstraintViolationException e) {
        return reject(ValidationFailure.of(e));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ApiResponse<Void>> unreadable(HttpMessageNotReadableException e) {
        BodySizeLimit.TooLarge tooLarge = BodySizeLimit.find(e);
        if (tooLarge != null) {
            return reject(ErrorCode.BODY_TOO_LARGE, tooLarge.getMessage());
        }
        Throwable root = e.getMostSpecificCause();
        // a value of the wrong type, or a field the body does not define, sits at a path Jackson knows
        String field = root instanceof JacksonException json && !json.getPath().isEmpty() ? pathOf(json.getPath()) : null;
        if (root instanceof UnrecognizedPropertyException unknown) {
            return reject(ErrorCode.INVALID_PARAMS, describe(unknown), field);
        }
        String detail = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int cut = detail.indexOf('\n');
        return reject(ErrorCode.INVALID_PARAMS, "malformed JSON body: " + (cut > 0 ? detail.substring(0, cut) : detail), field);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ApiResponse<Void>> badParameter(MethodArgumentTypeMismatchException e) {
        return reject(ErrorCode.INVALID_PARAMS, e.getMessage(), e.getName());
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ApiResponse<Void>> missingParameter(MissingServletRequestParameterException e) {
        return reject(ErrorCode.INVALID_PARAMS, e.getMessage(), e.getParameterName());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ApiResponse<Void>> mediaType(HttpMediaTypeNotSupportedException e) {
        return reject(ErrorCode.INVALID_PARAMS, "the body must be JSON (Content-Type: application/json): " + e.getMessage());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ApiResponse<Void>> method(HttpRequestMethodNotSupportedException e) {
        return ResponseEntity.status(405).body(ApiResponse.error(ErrorCode.INVALID_PARAMS, e.getMessage()));
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ApiResponse<Void>> noRoute(NoResourceFoundException e) {
        return ResponseEntity.status(404).body(ApiResponse.error(ErrorCode.INVALID_PARAMS, "no such endpoint: " + e.getResourcePath()));
    }

    /** A client that left a stream (an event stream, a followed log): nothing to answer, nothing to log. */
    @ExceptionHandler(org.springframework.web.context.request.async.AsyncRequestNotUsableException.class)
    void clientLeft(org.springframework.web.context.request.async.AsyncRequestNotUsableException e) {
        log.debug("client left: {}", e.getMessage());
    }

    /** Only bugs answer 500; a failure that knows its code (see {@link CodedFailure}) answers with it. */
    @ExceptionHandler(Exception.class)
    ResponseEntity<ApiResponse<Void>> bug(Exception e) {
        if (e instanceof CodedFailure coded) {
            if (coded.code().status().is5xxServerError()) {
                log.warn("{} ({}): {}", coded.code(), coded.code().code(), e.getMessage());
                return respond(coded.code(), e.getMessage());
            }
            return reject(coded.code(), e.getMessage());
        }
        log.error("unexpected failure", e);
        return respond(ErrorCode.INTERNAL, "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    private static ResponseEntity<ApiResponse<Void>> reject(ValidationFailure failure) {
        return reject(failure.code(), failure.message(), failure.field());
    }

    /** Names the field and where it sits, so a typo such as 'gpucount' is not silently dropped (it would mean 0 GPUs). */
    private static String describe(UnrecognizedPropertyException e) {
        List<JacksonException.Reference> path = e.getPath();
        String field = path.isEmpty() ? e.getPropertyName() : pathOf(path);
        String where = path.size() > 1 ? " of '" + pathOf(path.subList(0, path.size() - 1)) + "'" : "";
        String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                .collect(Collectors.joining(", "));
        return "unknown field '" + field + "' in the request body (known fields" + where + ": " + known + ")";
    }

    private static String pathOf(List<JacksonException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference ref : path) {
            if (ref.getPropertyName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(ref.getPropertyName());
            } else {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static ResponseEntity<ApiResponse<Void>> reject(ErrorCode code, String msg) {
        return reject(code, msg, null);
    }

    private static ResponseEntity<ApiResponse<Void>> reject(ErrorCode code, String msg, String field) {
        log.info("rejected {} ({}): {}", code, code.code(), msg);
        return respond(code, msg, field);
    }

    private static ResponseEntity<ApiResponse<Void>> respond(ErrorCode code, String msg) {
        return respond(code, msg, null);
    }

    private static ResponseEntity<ApiResponse<Void>> respond(ErrorCode code, String msg, String field) {
        // JSON whatever the call accepts: a failed CSV download still says why in the envelope
        return ResponseEntity.status(code.status()).contentType(org.springframework.http.MediaType.APPLICATION_JSON).body(ApiResponse.error(code, msg, field));
    }
}
