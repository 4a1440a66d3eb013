package dev.doorbell.uplink.store;

/** Counters of the store, for logs. */
public record StoreStats(long records, long bytes, long fsyncs) {}
