package io.gpudocker.access;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;

/**
 * What a tool in a container prints, kept in memory up to a cap. The tools are the tenant's (an image may replace
 * {@code stat} or {@code sh} with anything): one that prints without end must fail its request, not fill the service's
 * heap.
 */
final class CappedOutput extends OutputStream {
    /** The cap was reached: the rest of the output is not read. */
    static final class Exceeded extends IOException {
        Exceeded(String message) {
            super(message);
        }
    }

    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final int cap;
    private final String what;

    /** {@code what}: the output named in the failure, e.g. "the listing of /root". */
    CappedOutput(int cap, String what) {
        this.cap = cap;
        this.what = what;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        room(1);
        kept.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        room(len);
        kept.write(b, off, len);
    }

    private void room(int len) throws Exceeded {
        if (kept.size() + (long) len > cap) {
            throw new Exceeded(what + " is longer than " + cap + " bytes; the rest was not read");
        }
    }

    synchronized String toString(Charset charset) {
        return kept.toString(charset);
    }
}
