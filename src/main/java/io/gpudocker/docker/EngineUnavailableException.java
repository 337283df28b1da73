package io.gpudocker.docker;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;

public class EngineUnavailableException extends ApiException {
    public EngineUnavailableException(String message, Throwable cause) {
        super(ErrorCode.DOCKER_UNAVAILABLE, message, cause);
    }
}
