package io.gpudocker.access;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * How a process in an instance another node runs is carried between the nodes once the connection switched protocols:
 * frames of one kind byte, a length and that many bytes. Towards the owner: input, end of input, terminal size; back:
 * stdout, stderr, and the exit status last.
 */
final class ProcessFrames {
    static final String PROTOCOL = "gda-process";
    static final int STDIN = 0, STDIN_END = 1, RESIZE = 2;
    static final int STDOUT = 0, STDERR = 1, EXIT = 2;
    static final int MAX_FRAME = 1 << 20;

    private ProcessFrames() {}

    record Frame(int kind, byte[] data) {}

    static void write(DataOutputStream out, int kind, byte[] data, int off, int len) throws IOException {
        synchronized (out) {
            out.writeByte(kind);
            out.writeInt(len);
            out.write(data, off, len);
            out.flush();
        }
    }

    static Frame read(DataInputStream in) throws IOException {
        int kind = in.readUnsignedByte();
        int len = in.readInt();
        if (len < 0 || len > MAX_FRAME) {
            throw new IOException("a process frame of " + len + " bytes");
        }
        byte[] data = new byte[len];
        in.readFully(data);
        return new Frame(kind, data);
    }

    /** Writes what it is given as frames of {@code kind}. */
    static OutputStream framing(DataOutputStream out, int kind) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int at = off; at < off + len; at += MAX_FRAME) {
                    ProcessFrames.write(out, kind, b, at, Math.min(MAX_FRAME, off + len - at));
                }
            }
        };
    }
}
