package dev.doorbell.uplink.store;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a {@link DirectoryStore}.
 *
 * @param segmentBytes a new segment starts before a batch would take the current one past this size
 * @param maxBatchRecords at most this many records share one write pass and one fdatasync
 * @param maxBatchBytes at most this many framed bytes per batch (a single larger record still goes alone)
 * @param maxBatchDelay how long the writer waits for more records when the queue runs empty before the batch is
 *     full; zero writes whatever is queued at once
 * @param directIo write batches with O_DIRECT where the file system allows it (else through the page cache)
 * @param segmentMaxAge a segment holding records is rolled once it has been written to for this long, even when idle,
 *     so that a shipper (which takes closed segments only) is never more than this behind; zero rolls by size only
 * @param indexClosedClips how many of the most recently closed clips keep their full form in memory (header bytes,
 *     frame locations); an older closed clip takes compact form (a 48-byte row), and a header or frame resent for it
 *     is compared by reading its segments back (rare: a device is told at resume that the clip is closed)
 */
public record StoreOptions(
        long segmentBytes,
        int maxBatchRecords,
        long maxBatchBytes,
        Duration maxBatchDelay,
        boolean directIo,
        Duration segmentMaxAge,
        int indexClosedClips) {
    /** 4096 closed clips of 300 frames keep about 40 MiB of frame locations (20 bytes a frame slot). */
    public static final int DEFAULT_INDEX_CLOSED_CLIPS = 4096;

    public StoreOptions {
        Objects.requireNonNull(maxBatchDelay, "maxBatchDelay");
        Objects.requireNonNull(segmentMaxAge, "segmentMaxAge");
        if (segmentBytes < 1024) {
            throw new IllegalArgumentException("segmentBytes must be at least 1024, got " + segmentBytes);
        }
        if (maxBatchRecords < 1) {
            throw new IllegalArgumentException("maxBatchRecords must be at least 1, got " + maxBatchRecords);
        }
        if (maxBatchBytes < 1) {
            throw new IllegalArgumentException("maxBatchBytes must be at least 1, got " + maxBatchBytes);
        }
        if (maxBatchDelay.isNegative()) {
            throw new IllegalArgumentException("maxBatchDelay must not be negative, got " + maxBatchDelay);
        }
        if (segmentMaxAge.isNegative()) {
            throw new IllegalArgumentException("segmentMaxAge must not be negative, got " + segmentMaxAge);
        }
        if (indexClosedClips < 0) {
            throw new IllegalArgumentException("indexClosedClips must not be negative, got " + indexClosedClips);
        }
    }

    /**
     * 256 MiB segments, rolled by size only; batches of up to 1024 records or 8 MiB, lingering at most 1 ms for more;
     * direct I/O; frame locations of the {@value #DEFAULT_INDEX_CLOSED_CLIPS} most recently closed clips in memory.
     */
    public static StoreOptions defaults() {
        return new StoreOptions(
                256L << 20, 1024, 8L << 20, Duration.ofMillis(1), true, Duration.ZERO, DEFAULT_INDEX_CLOSED_CLIPS);
    }

    public StoreOptions withSegmentBytes(long bytes) {
        return new StoreOptions(
                bytes, maxBatchRecords, maxBatchBytes, maxBatchDelay, directIo, segmentMaxAge, indexClosedClips);
    }

    public StoreOptions withMaxBatchDelay(Duration delay) {
        return new StoreOptions(
                segmentBytes, maxBatchRecords, maxBatchBytes, delay, directIo, segmentMaxAge, indexClosedClips);
    }

    public StoreOptions withDirectIo(boolean direct) {
        return new StoreOptions(
                segmentBytes, maxBatchRecords, maxBatchBytes, maxBatchDelay, direct, segmentMaxAge, indexClosedClips);
    }

    public StoreOptions withSegmentMaxAge(Duration age) {
        return new StoreOptions(
                segmentBytes, maxBatchRecords, maxBatchBytes, maxBatchDelay, directIo, age, indexClosedClips);
    }

    public StoreOptions withIndexClosedClips(int clips) {
        return new StoreOptions(
                segmentBytes, maxBatchRecords, maxBatchBytes, maxBatchDelay, directIo, segmentMaxAge, clips);
    }
}
