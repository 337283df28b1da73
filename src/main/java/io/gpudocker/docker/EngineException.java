package io.gpudocker.docker;

/** The engine answered, but refused or failed the request (as opposed to being unreachable). */
public class EngineException extends RuntimeException {
    private final int status;

    public EngineException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() { return status; }
}
