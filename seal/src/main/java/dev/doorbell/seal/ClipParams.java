package dev.doorbell.seal;

import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;

/** The public facts of a clip that go into its header (docs/FORMAT.md §3), checked when built. */
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
