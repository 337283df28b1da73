package io.gpudocker.store;

import io.gpudocker.common.OutcomeUnknown;

/** etcd did not answer a write, nor the read that would have told whether the write was applied. */
public class CommitOutcomeUnknownException extends StoreUnavailableException implements OutcomeUnknown {
    public CommitOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
