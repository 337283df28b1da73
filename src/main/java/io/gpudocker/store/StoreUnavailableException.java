package io.gpudocker.store;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;

public class StoreUnavailableException extends ApiException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(ErrorCode.ETCD_UNAVAILABLE, message, cause);
    }
}
