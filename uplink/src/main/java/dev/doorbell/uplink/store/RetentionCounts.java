package dev.doorbell.uplink.store;

/**
 * Retention since the store was opened: clips deleted by the age policy and by owners' requests, bytes reclaimed
 * (segments removed or compacted), and requests refused as malformed.
 */
public record RetentionCounts(long clipsByPolicy, long clipsByRequest, long reclaimedBytes, long badRequests) {}
