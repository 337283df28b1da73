package io.gpudocker.api;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * The envelope written straight to a response, where no message converter runs (filters, the security handlers, the
 * web server's own error report), so that every answer a client gets parses the same way.
 */
public final class EnvelopeWriter {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private EnvelopeWriter() {}

    /** The error with the HTTP status its code carries. */
    public static void error(HttpServletResponse response, ErrorCode code, String msg) throws IOException {
        error(response, code.status().value(), code, msg);
    }

    public static void error(HttpServletResponse response, int status, ErrorCode code, String msg) throws IOException {
        write(response, status, ApiResponse.error(code, msg));
    }

    public static void ok(HttpServletResponse response, Object data) throws IOException {
        write(response, HttpServletResponse.SC_OK, ApiResponse.ok(data));
    }

    /** The error's body alone, for a writer that must use the response's own channel (Tomcat's error report). */
    public static String errorJson(ErrorCode code, String msg) {
        return JSON.writeValueAsString(ApiResponse.error(code, msg));
    }

    private static void write(HttpServletResponse response, int status, ApiResponse<?> body) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write(JSON.writeValueAsBytes(body));
    }
}
