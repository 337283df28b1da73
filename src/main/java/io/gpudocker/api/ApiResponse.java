package io.gpudocker.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** The envelope of every response body: {@code code} 200 on success, else a stable {@link ErrorCode}. */
public record ApiResponse<T>(
        @Schema(description = "200 on success, else an error code", example = "200") int code,
        @Schema(description = "Success, or what was wrong", example = "Success") String msg,
        @Schema(description = "the result; null for operations that return nothing and on failure") T data) {

    public static <T> ApiResponse<T> ok(T data) {
        return new ApiResponse<>(200, "Success", data);
    }

    public static ApiResponse<Void> error(ErrorCode code, String msg) {
        return new ApiResponse<>(code.code(), msg, null);
    }
}
