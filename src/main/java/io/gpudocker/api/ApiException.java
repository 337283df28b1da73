package io.gpudocker.api;

/** A failure the caller can act on: carries the code, HTTP status, a precise message and, where one is at fault, the field. */
public class ApiException extends RuntimeException {
    private final ErrorCode code;
    private String field;

    public ApiException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ApiException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() { return code; }

    /** The request field the failure is about ("gpuCount", "binds[0]"), or null when no single field is. */
    public String field() { return field; }

    /**
     * Names the request field at fault, for the envelope's {@code field}: {@code throw ApiException.of(...).onField("size")}.
     * Set where the exception is made, as initCause is, so subclasses keep their type.
     */
    public ApiException onField(String field) {
        this.field = field == null || field.isEmpty() ? null : field;
        return this;
    }

    public static ApiException of(ErrorCode code, String format, Object... args) {
        return new ApiException(code, String.format(format, args));
    }
}
