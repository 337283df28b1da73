package io.gpudocker.docker;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;

/**
 * Turns whatever a step of an operation threw into the operation's answer: a refusal already phrased for
 * the user passes through, an engine refusal keeps its meaning (a host port taken, a name taken, bad
 * input, no such object), and anything else fails with the code of the operation that was attempted.
 */
public final class EngineErrors {
    private EngineErrors() {}

    /**
     * @param failure the code of the operation (e.g. 1021 for a rollback)
     * @param conflict the code an engine conflict (HTTP 409) means for this kind of object
     * @param what what was attempted, e.g. "update replicaset 'foo' (patch)"
     */
    public static ApiException translate(RuntimeException e, ErrorCode failure, ErrorCode conflict, String what) {
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof EngineException ee) {
            String msg = ee.getMessage();
            if (msg.contains("port is already allocated") || msg.contains("address already in use")) {
                return new ApiException(ErrorCode.PORT_NOT_ENOUGH, "a host port was taken by another process on the host: " + msg, e);
            }
            if (ee.status() == 409) {
                return new ApiException(conflict, "cannot " + what + ": " + msg, e);
            }
            if (ee.status() == 400 || ee.status() == 404) {
                return new ApiException(ee.code(), "failed to " + what + ": " + msg, e);
            }
            return new ApiException(failure, "failed to " + what + ": " + msg, e);
        }
        return new ApiException(failure, "failed to " + what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
}
