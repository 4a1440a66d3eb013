package dev.doorbell.uplink.store;

/**
 * Told about each group commit of a store, on the store's syncer thread, after the records it covers are durable and
 * before their futures complete: it must return at once (the uplink's metrics count and record; nothing blocks).
 */
@FunctionalInterface
public interface CommitObserver {
    CommitObserver NONE = (records, fsyncNanos) -> {};

    /** One fdatasync and its checkpoint made {@code records} records durable; the fdatasync took {@code fsyncNanos}. */
    void committed(int records, long fsyncNanos);
}
