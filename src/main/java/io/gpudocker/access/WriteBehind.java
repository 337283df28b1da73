package io.gpudocker.access;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An output stream whose bytes reach {@code sink} on a thread of its own, up to {@code limit} bytes behind the writer:
 * an SFTP client sends a bounded number of writes ahead and waits for each one's answer, so answering only once the
 * container's process had taken the bytes made every pause of that process a pause of the whole copy. A failure of the
 * sink is thrown by the next write, or by {@link #close()}, which returns once everything was written and the sink
 * closed.
 */
final class WriteBehind extends OutputStream {
    private final OutputStream sink;
    private final long limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<byte[]> queue = new ArrayDeque<>();
    private final Thread thread;
    private long queued;
    private boolean closing;
    private boolean aborted;
    private IOException failure;

    WriteBehind(OutputStream sink, long limit, String name) {
        this.sink = sink;
        this.limit = limit;
        this.thread = new Thread(this::drain, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        byte[] piece = Arrays.copyOfRange(b, off, off + len);
        lock.lock();
        try {
            while (failure == null && !closing && queued > 0 && queued + len > limit) {
                await();
            }
            if (failure != null) {
                throw failure;
            }
            if (closing) {
                throw new IOException("written after the end");
            }
            queue.add(piece);
            queued += len;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until all was written, then closes the sink; the sink's failure, if any, is thrown. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("the session ended while its last writes were made");
        }
        if (failure != null) {
            throw failure;
        }
        sink.close();
    }

    /** Drops what was not written yet and ends the thread (the sink is left to its owner to close). */
    void abort() {
        lock.lock();
        try {
            aborted = true;
            closing = true;
            queue.clear();
            queued = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void await() throws InterruptedIOException {
        try {
            changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("the session ended while a write waited");
        }
    }

    private void drain() {
        while (true) {
            byte[] piece;
            lock.lock();
            try {
                while (queue.isEmpty() && !closing) {
                    changed.awaitUninterruptibly();
                }
                if (queue.isEmpty() || aborted) {
                    return;
                }
                piece = queue.peek();
            } finally {
                lock.unlock();
            }
            try {
                sink.write(piece);
            } catch (IOException e) {
                lock.lock();
                try {
                    failure = e;
                    queue.clear();
                    queued = 0;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                return;
            }
            lock.lock();
            try {
                if (aborted) {
                    return;
                }
                queue.poll();
                queued -= piece.length;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
