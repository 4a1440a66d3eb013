package dev.doorbell.uplink.store;

/**
 * Counters of a store since it was opened: durable {@code records} and their framed {@code bytes} written,
 * {@code fsyncs} of segment data (one per batch), {@code batches} written, and {@code clips} known (including
 * those recovered from disk). Group commit shows as {@code fsyncs < records}. {@code writeMillis} is the writer's time
 * framing and writing batches, {@code fsyncMillis} its time in fdatasync: where a saturated store spends its time.
 */
public record StoreStats(long records, long bytes, long fsyncs, long batches, long clips, long writeMillis,
                         long fsyncMillis) {}
