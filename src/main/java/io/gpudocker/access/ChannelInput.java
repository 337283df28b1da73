package io.gpudocker.access;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.common.channel.LocalWindow;
import org.apache.sshd.server.channel.ChannelDataReceiver;
import org.apache.sshd.server.channel.ChannelSession;

/**
 * What the client sends on a session channel, as a stream for the thread that serves it. The library's own pipe keeps
 * one growing buffer and moves what is left to its front each time a packet's worth was read: with a window of
 * megabytes queued, an upload spent more time moving bytes than carrying them. Here each packet's data is kept as it
 * came, read from where the reader stands, and the window is given back to the client as the reader takes the bytes
 * (so what waits here is never more than the window).
 */
final class ChannelInput extends InputStream implements ChannelDataReceiver {
    private final LocalWindow window;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Deque<byte[]> pieces = new ArrayDeque<>();
    private byte[] current;
    private int position;
    private boolean ended;

    /** @param window the channel's window, given back to the client as bytes are read */
    ChannelInput(LocalWindow window) {
        this.window = window;
    }

    @Override
    public int data(ChannelSession channel, byte[] buf, int start, int len) {
        if (len == 0) {
            return 0;
        }
        byte[] piece = Arrays.copyOfRange(buf, start, start + len);
        lock.lock();
        try {
            pieces.add(piece);
            arrived.signal();
        } finally {
            lock.unlock();
        }
        return 0; // the window is given back as the reader consumes
    }

    /** The client's end of input (or the channel closed). */
    @Override
    public void close() {
        lock.lock();
        try {
            ended = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || position == current.length) {
            current = next();
            position = 0;
            if (current == null) {
                return -1;
            }
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        window.release(n);
        return n;
    }

    private byte[] next() throws IOException {
        lock.lock();
        try {
            while (pieces.isEmpty()) {
                if (ended) {
                    return null;
                }
                try {
                    arrived.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("the session ended while its input was awaited");
                }
            }
            return pieces.poll();
        } finally {
            lock.unlock();
        }
    }
}
