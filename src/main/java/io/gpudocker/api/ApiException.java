package io.gpudocker.api;

/** A failure the caller can act on: carries the code, HTTP status and a precise message. */
public class ApiException extends RuntimeException {
    private final ErrorCode code;

    public ApiException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ApiException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() { return code; }

    public static ApiException of(ErrorCode code, String format, Object... args) {
        return new ApiException(code, String.format(format, args));
    }
}
