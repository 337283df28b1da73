package io.gpudocker.node;

import io.gpudocker.api.ErrorCode;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * The response of a call run here on the word of the owner view: an answer with the status of a refusal as not this
 * node's (409) is held back, so that routing can send the call where it belongs instead; every other answer passes
 * straight through as it is written (a followed log keeps streaming).
 */
final class RefusalHold extends HttpServletResponseWrapper {
    private static final int REFUSED = ErrorCode.NOT_THIS_NODE.status().value();

    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private boolean holding;
    private ServletOutputStream out;
    private PrintWriter writer;

    RefusalHold(HttpServletResponse response) {
        super(response);
    }

    @Override
    public void setStatus(int sc) {
        super.setStatus(sc);
        holding = sc == REFUSED;
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        holding = false;
        super.sendError(sc, msg);
    }

    @Override
    public void sendError(int sc) throws IOException {
        holding = false;
        super.sendError(sc);
    }

    /** Whether the call was refused here as another node's (1094): nothing of its answer was sent. */
    boolean refusedAsNotHere() {
        if (!holding) {
            return false;
        }
        flushWriter();
        return CreatePlacement.codeOf(held.toByteArray()) == ErrorCode.NOT_THIS_NODE.code();
    }

    /** Sends what was held back (any other refusal of that status is the caller's answer after all). */
    void release() throws IOException {
        flushWriter();
        if (holding && held.size() > 0) {
            ServletOutputStream real = getResponse().getOutputStream();
            held.writeTo(real);
            real.flush();
            held.reset();
        }
    }

    private void flushWriter() {
        if (writer != null) {
            writer.flush();
        }
    }

    @Override
    public void setContentLength(int len) {
        if (!holding) {
            super.setContentLength(len);
        }
    }

    @Override
    public void setContentLengthLong(long len) {
        if (!holding) {
            super.setContentLengthLong(len);
        }
    }

    @Override
    public void setHeader(String name, String value) {
        if (!(holding && "Content-Length".equalsIgnoreCase(name))) {
            super.setHeader(name, value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (!(holding && "Content-Length".equalsIgnoreCase(name))) {
            super.addHeader(name, value);
        }
    }

    @Override
    public void setIntHeader(String name, int value) {
        if (!(holding && "Content-Length".equalsIgnoreCase(name))) {
            super.setIntHeader(name, value);
        }
    }

    @Override
    public void flushBuffer() throws IOException {
        if (!holding) {
            super.flushBuffer();
        }
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (out == null) {
            ServletOutputStream real = getResponse().getOutputStream();
            out = new ServletOutputStream() {
                @Override
                public void write(int b) throws IOException {
                    if (holding) {
                        held.write(b);
                    } else {
                        real.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (holding) {
                        held.write(b, off, len);
                    } else {
                        real.write(b, off, len);
                    }
                }

                @Override
                public void flush() throws IOException {
                    if (!holding) {
                        real.flush();
                    }
                }

                @Override
                public boolean isReady() { return real.isReady(); }

                @Override
                public void setWriteListener(WriteListener listener) { real.setWriteListener(listener); }
            };
        }
        return out;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            String encoding = getCharacterEncoding();
            writer = new PrintWriter(new OutputStreamWriter(getOutputStream(), encoding == null ? Charset.defaultCharset() : Charset.forName(encoding)));
        }
        return writer;
    }
}
