package io.gpudocker.docker;

import io.gpudocker.api.CodedFailure;
import io.gpudocker.api.ErrorCode;

/**
 * The engine answered, but refused or failed the request (as opposed to being unreachable). Docker's 4xx
 * answers to this service's calls are about what the caller asked for (a name or image reference Docker
 * rejects, an object that does not exist, a conflict with its state), so they keep their meaning.
 */
public class EngineException extends RuntimeException implements CodedFailure {
    private final int status;

    public EngineException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() { return status; }

    @Override
    public ErrorCode code() {
        return switch (status) {
            case 400 -> ErrorCode.INVALID_PARAMS;
            case 404 -> ErrorCode.DOCKER_NOT_FOUND;
            case 409 -> ErrorCode.DOCKER_CONFLICT;
            default -> ErrorCode.DOCKER_FAILED;
        };
    }
}
