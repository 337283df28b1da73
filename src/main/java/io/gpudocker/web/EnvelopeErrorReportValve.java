package io.gpudocker.web;

import io.gpudocker.api.EnvelopeWriter;
import io.gpudocker.api.ErrorCode;
import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's own error answers (a request it refuses before any controller sees it, e.g. an encoded '/' or a
 * NUL in the path) in the response envelope rather than Tomcat's HTML page, so every answer a client gets
 * parses the same way.
 */
public class EnvelopeErrorReportValve extends ErrorReportValve {
    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        ErrorCode code = status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_PARAMS;
        String reason = response.getMessage() == null || response.getMessage().isBlank() ? "the request was refused" : response.getMessage();
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(EnvelopeWriter.errorJson(code, "HTTP " + status + ": " + reason));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response was committed meanwhile; nothing more to say
        }
    }
}
