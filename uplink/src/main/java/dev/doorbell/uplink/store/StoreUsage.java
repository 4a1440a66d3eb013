package dev.doorbell.uplink.store;

/** What a store holds on disk: its segment files and their bytes (damaged copies and the checkpoint not counted). */
public record StoreUsage(long segments, long bytes) {}
