package dev.doorbell.uplink.store;

import java.io.IOException;

/**
 * A record read back by its location no longer checks (length, CRC32C or body): it changed on disk after the store
 * indexed it. The message names the segment and offset. Damage found when the store is opened is not an exception
 * but a {@link StoreFinding}: the store starts anyway.
 */
public final class StoreCorruptedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String segment;
    private final long offset;

    public StoreCorruptedException(String segment, long offset, String reason) {
        super("store corrupted in segment " + segment + " at offset " + offset + ": " + reason);
        this.segment = segment;
        this.offset = offset;
    }

    public String segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }
}
