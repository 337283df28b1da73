package io.gpudocker.store;

import java.util.List;

/** What a watch of a prefix reports; called on the store client's threads, one call at a time per watch. */
public interface ChangeListener {
    /** Changes in revision order. */
    void changed(List<KeyChange> changes);

    /**
     * The revisions after the one the watch started from were compacted away: the watch ended, and what it would have
     * reported must be read again whole.
     */
    void compacted(long compactRevision);

    /** The watch ended for another reason (etcd gone past the client's own retries, cancelled); it may be resumed. */
    void broken(Throwable cause);
}
