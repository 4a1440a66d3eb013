package dev.doorbell.uplink.store;

/**
 * A clip nothing of which waits to be written, as retention chooses among them: by the store's time of its newest
 * record, by its public chain position (0 without one), and the segments its records lie in, where space is reclaimed.
 */
record IdleClip(String deviceId, long clipId, long lastArrivalMs, long position, long firstSegment, long lastSegment) {}
