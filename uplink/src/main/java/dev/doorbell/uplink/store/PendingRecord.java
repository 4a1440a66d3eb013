package dev.doorbell.uplink.store;

import dev.doorbell.proto.v1.StoredRecord;
import java.util.concurrent.CompletableFuture;

/**
 * A validated record on its way to disk. The writer fills in its location before the write and completes {@code
 * durable} after the fsync that covers it.
 */
final class PendingRecord {
    final ClipState clip;
    final StoredRecord record;
    final CompletableFuture<Void> durable = new CompletableFuture<>();
    long segment;
    long offset;
    int length;

    PendingRecord(ClipState clip, StoredRecord record) {
        this.clip = clip;
        this.record = record;
    }
}
