package dev.doorbell.uplink.store;

/**
 * Where one clip stands. {@code receivedFrames} counts frames validated and queued or stored (frames 0 .. n-1),
 * {@code persistedFrames} those already durable; {@code lastReceived} says the final frame is among the received
 * ones; the close flags say the same of the clip's close record.
 */
public record ClipStatus(
        String deviceId,
        long clipId,
        int receivedFrames,
        int persistedFrames,
        boolean lastReceived,
        boolean closeReceived,
        boolean closePersisted) {}
