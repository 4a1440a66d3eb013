package dev.doorbell.seal;

import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;

/**
 * The facts of a clip, checked when built: public in the header of v1 and v2 (docs/FORMAT.md §3, §10), sealed in the
 * ClipInfo of v3 (§17.2), where the clip id is the only one the header shows.
 */
public record ClipParams(
        String deviceId,
        long clipId,
        Trigger trigger,
        Codec codec,
        int width,
        int height,
        int fps,
        long startTimeUnixMs,
        int preRollMs) {
    public ClipParams {
        DeviceIds.require(deviceId);
        if (clipId < 0) {
            throw new IllegalArgumentException(
                    "clip id " + clipId + " of device " + deviceId + " must not be negative");
        }
        if (trigger == null || trigger == Trigger.UNRECOGNIZED) {
            throw new IllegalArgumentException("clip " + clipId + " of device " + deviceId + ": trigger is " + trigger);
        }
        if (codec == null || codec == Codec.UNRECOGNIZED) {
            throw new IllegalArgumentException("clip " + clipId + " of device " + deviceId + ": codec is " + codec);
        }
        if (width <= 0 || height <= 0 || fps <= 0) {
            throw new IllegalArgumentException("clip " + clipId + " of device " + deviceId + ": width " + width
                    + ", height " + height + " and fps " + fps + " must be positive");
        }
        if (startTimeUnixMs < 0 || preRollMs < 0) {
            throw new IllegalArgumentException("clip " + clipId + " of device " + deviceId + ": start time "
                    + startTimeUnixMs + " ms and pre-roll " + preRollMs + " ms must not be negative");
        }
    }
}
