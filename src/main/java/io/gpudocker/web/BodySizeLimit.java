package io.gpudocker.web;

import io.gpudocker.api.EnvelopeWriter;
import io.gpudocker.api.ErrorCode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps every request body. Neither Tomcat nor Spring has a setting for this: Tomcat's {@code maxPostSize} applies
 * only to form parameters it parses itself, {@code maxSwallowSize} only to what it discards of a body nobody read,
 * and Spring's multipart limits only to multipart uploads; a JSON body read through {@code getInputStream()} is
 * unbounded. So a body announced larger than the limit is refused before it is read, and one without a length
 * (chunked) is counted while it is read and refused once it passes the limit. Either way: 413, code 1064.
 */
public class BodySizeLimit extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(BodySizeLimit.class);

    private final long maxBytes;

    public BodySizeLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Thrown by the counting stream; an IOException so that whatever reads the body passes it on as a read failure. */
    public static final class TooLarge extends IOException {
        TooLarge(long maxBytes) {
            super("the request body is larger than " + maxBytes + " bytes, the most this service accepts (gda.limits.max-body-size)");
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long announced = request.getContentLengthLong();
        if (announced > maxBytes) {
            refuse(request, response, "the request body has " + announced + " bytes; at most " + maxBytes
                    + " are accepted (gda.limits.max-body-size)");
            return;
        }
        try {
            chain.doFilter(announced >= 0 ? request : new Counted(request, maxBytes), response);
        } catch (ServletException | IOException | RuntimeException e) {
            TooLarge tooLarge = find(e);
            if (tooLarge == null || response.isCommitted()) {
                throw e;
            }
            response.resetBuffer();
            refuse(request, response, tooLarge.getMessage());
        }
    }

    /** Whether {@code e} was caused by a body over the limit; the web layer maps such read failures to 413 too. */
    public static TooLarge find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TooLarge tooLarge) {
                return tooLarge;
            }
        }
        return null;
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, String msg) throws IOException {
        log.info("rejected {} {}: {}", request.getMethod(), request.getRequestURI(), msg);
        EnvelopeWriter.error(response, ErrorCode.BODY_TOO_LARGE, msg);
    }

    /** A request whose body stream fails with {@link TooLarge} once more than the limit has been read. */
    private static final class Counted extends HttpServletRequestWrapper {
        private final long maxBytes;
        private ServletInputStream stream;

        Counted(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new CountingStream(super.getInputStream(), maxBytes);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String charset = getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }

    private static final class CountingStream extends ServletInputStream {
        private final ServletInputStream in;
        private final long maxBytes;
        private long read;

        CountingStream(ServletInputStream in, long maxBytes) {
            this.in = in;
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws TooLarge {
            read += n;
            if (read > maxBytes) {
                throw new TooLarge(maxBytes);
            }
        }

        @Override
        public boolean isFinished() { return in.isFinished(); }

        @Override
        public boolean isReady() { return in.isReady(); }

        @Override
        public void setReadListener(ReadListener listener) { in.setReadListener(listener); }

        @Override
        public void close() throws IOException { in.close(); }
    }
}
