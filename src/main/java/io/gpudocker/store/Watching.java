package io.gpudocker.store;

/** A watch in progress; closing it ends it without a word to its listener. */
public interface Watching extends AutoCloseable {
    @Override
    void close();
}
