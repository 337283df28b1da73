package io.gpudocker.api;

/** The envelope of every response body: {@code code} 200 on success, else a stable {@link ErrorCode}. */
public record ApiResponse<T>(int code, String msg, T data) {

    public static <T> ApiResponse<T> ok(T data) {
        return new ApiResponse<>(200, "Success", data);
    }

    public static ApiResponse<Void> error(ErrorCode code, String msg) {
        return new ApiResponse<>(code.code(), msg, null);
    }
}
