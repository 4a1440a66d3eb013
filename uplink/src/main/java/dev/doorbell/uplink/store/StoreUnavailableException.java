package dev.doorbell.uplink.store;

import java.io.IOException;

/**
 * A write or fsync of the store failed (disk full, I/O error). Nothing of the affected batch was acknowledged; the
 * same records may be submitted again once the store is available: retriable.
 */
public final class StoreUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
