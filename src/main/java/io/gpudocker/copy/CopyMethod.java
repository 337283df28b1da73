package io.gpudocker.copy;

import java.util.Locale;

/** How a copy moves its data: reflinks share the blocks (constant time), bytes read and write every block. */
public enum CopyMethod {
    REFLINK,
    BYTES;

    /** The name used in logs, metric tags and responses. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
