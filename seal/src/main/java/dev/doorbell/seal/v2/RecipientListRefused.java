package dev.doorbell.seal.v2;

import dev.doorbell.proto.v1.RecipientListResult;

/**
 * A device refuses a recipient list (docs/FORMAT.md §12): {@link #status()} is what it reports to the uplink in
 * RecipientListResult, {@link #getMessage()} the detail, naming the device, the versions and what failed.
 */
public final class RecipientListRefused extends Exception {
    private static final long serialVersionUID = 1L;

    private final RecipientListResult.Status status;
    private final long version;

    RecipientListRefused(RecipientListResult.Status status, long version, String detail) {
        super(detail);
        this.status = status;
        this.version = version;
    }

    public RecipientListResult.Status status() {
        return status;
    }

    /** The version the refused list claims; 0 when it did not parse (or was not signed by the owner). */
    public long version() {
        return version;
    }
}
