package io.gpudocker.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The envelope of every response body: {@code code} 200 on success, else a stable {@link ErrorCode}. A failure
 * about one field of the request also names it in {@code field}; the member is left out otherwise, so clients
 * written for the three-member envelope see what they always saw.
 */
public record ApiResponse<T>(
        @Schema(description = "200 on success, else an error code", example = "200") int code,
        @Schema(description = "Success, or what was wrong", example = "Success") String msg,
        @Schema(description = "the result; null for operations that return nothing and on failure") T data,
        @Schema(description = "on failure, the request field the code is about (\"gpuCount\", \"binds[0]\", a path variable's name); absent when no single field is", example = "gpuCount")
        @JsonInclude(JsonInclude.Include.NON_NULL) String field) {

    public ApiResponse(int code, String msg, T data) {
        this(code, msg, data, null);
    }

    public static <T> ApiResponse<T> ok(T data) {
        return new ApiResponse<>(200, "Success", data);
    }

    public static ApiResponse<Void> error(ErrorCode code, String msg) {
        return new ApiResponse<>(code.code(), msg, null);
    }

    public static ApiResponse<Void> error(ErrorCode code, String msg, String field) {
        return new ApiResponse<>(code.code(), msg, null, field);
    }
}
