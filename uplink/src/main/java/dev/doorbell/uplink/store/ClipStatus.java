package dev.doorbell.uplink.store;

/** Where one clip of one device stands in the store. */
public record ClipStatus(String deviceId, long clipId, int receivedFrames, int persistedFrames, boolean lastReceived,
    boolean closeReceived, boolean closePersisted) {}
