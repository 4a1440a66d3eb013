package dev.doorbell.uplink.store;

/**
 * Counters of a store since it was opened: durable {@code records}, framed {@code bytes} written, {@code fsyncs} of
 * segment data (one covers every batch written before it), {@code batches} written, and {@code clips} known
 * (including those recovered from disk). Group commit shows as {@code fsyncs < records}. {@code writeMillis} is the
 * writer thread's time framing and writing batches, {@code fsyncMillis} the syncer thread's time in fdatasync and
 * {@code checkpointMillis} its time writing the checkpoint after each; the writer's and the syncer's overlap, so
 * where a saturated store spends its time is the larger of the writer's and the syncer's.
 */
public record StoreStats(
        long records,
        long bytes,
        long fsyncs,
        long batches,
        long clips,
        long writeMillis,
        long fsyncMillis,
        long checkpointMillis) {}
