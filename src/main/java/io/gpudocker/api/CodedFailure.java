package io.gpudocker.api;

/**
 * A failure that knows what it means for the caller, raised by code below the operations that cannot speak
 * in {@link ApiException}s (e.g. a refusal by the Docker engine). The operations translate such failures
 * with their own context where they can; one that reaches the handler untranslated still gets its code,
 * never the 500 kept for bugs.
 */
public interface CodedFailure {
    ErrorCode code();
}
