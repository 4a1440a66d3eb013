package dev.doorbell.uplink.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The records the store accepted and the writer has not yet handed to the syncer, in the order they were accepted,
 * which is the order of the log: the batch the writer is writing, then those queued behind it. The writer takes
 * batches from the head within the store's bounds ({@link StoreOptions}: at most {@code maxBatchRecords} records and
 * {@code maxBatchBytes} framed bytes, a single larger record alone). A failure takes everything back, the batch being
 * written included ({@link #drain}), so that none of it is acknowledged.
 *
 * <p>Not thread-safe: the writer keeps it in a field guarded by the store's lock.
 */
final class BatchQueue {
    private final int maxRecords;
    private final long maxBytes;
    private final ArrayDeque<PendingRecord> queued = new ArrayDeque<>();
    /** Framed bytes of the records in {@link #queued}. */
    private long queuedBytes;
    /** The batch taken and not yet {@link #written}; empty when there is none. */
    private List<PendingRecord> writing = List.of();

    BatchQueue(int maxRecords, long maxBytes) {
        if (maxRecords < 1 || maxBytes < 1) {
            throw new IllegalArgumentException(
                    "a batch needs room for a record, got " + maxRecords + " records and " + maxBytes + " bytes");
        }
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    /** Bytes {@code record} takes in a segment: its header, length and CRC, and its body. */
    static long framedBytes(PendingRecord record) {
        return (long) SegmentFormat.RECORD_HEADER_BYTES + record.record.getSerializedSize();
    }

    void add(PendingRecord record) {
        queued.add(record);
        queuedBytes += framedBytes(record);
    }

    /** True when nothing is queued (a batch may still be being written). */
    boolean isEmpty() {
        return queued.isEmpty();
    }

    /**
     * True when the next batch is as large as the bounds let it be, so that waiting for more records would not make it
     * larger: the queue holds {@code maxRecords} records, or a record beyond the head that does not fit the bytes.
     */
    boolean fullBatchQueued() {
        return queued.size() >= maxRecords || (queued.size() > 1 && queuedBytes > maxBytes);
    }

    /**
     * Takes the next batch from the head: as many records as the bounds allow, and always the first one, however large.
     * The batch counts as being written until {@link #written}; only one batch is written at a time.
     */
    List<PendingRecord> takeBatch() {
        if (queued.isEmpty() || !writing.isEmpty()) {
            throw new IllegalStateException(
                    queued.isEmpty() ? "nothing is queued" : "a batch is being written already");
        }
        List<PendingRecord> batch = new ArrayList<>();
        long bytes = 0;
        while (!queued.isEmpty() && batch.size() < maxRecords) {
            long size = framedBytes(queued.peek());
            if (!batch.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            batch.add(queued.poll());
            bytes += size;
        }
        queuedBytes -= bytes;
        writing = batch;
        return batch;
    }

    /**
     * The writer has written {@code batch}: true when it goes on to be made durable, false when a failure took it back
     * meanwhile ({@link #drain}) and failed it already.
     */
    boolean written(List<PendingRecord> batch) {
        if (writing != batch) {
            return false;
        }
        writing = List.of();
        return true;
    }

    /** Takes back every record not yet handed to the syncer, in log order: the batch being written, then the queue. */
    List<PendingRecord> drain() {
        List<PendingRecord> all = new ArrayList<>(writing.size() + queued.size());
        all.addAll(writing);
        all.addAll(queued);
        writing = List.of();
        queued.clear();
        queuedBytes = 0;
        return all;
    }
}
