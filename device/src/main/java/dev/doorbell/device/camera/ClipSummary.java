package dev.doorbell.device.camera;

import dev.doorbell.proto.v1.Trigger;
import java.time.Duration;

/**
 * A clip has ended.
 *
 * @param frames frames delivered, the last one marked last
 * @param bytes total JPEG bytes of those frames
 * @param duration from frame 0's capture to the end of the last frame (last pts plus one frame interval)
 * @param ringsDuringClip presses of the doorbell while the clip was recording, not counting one that started it
 */
public record ClipSummary(
        int frames, long bytes, Duration duration, Trigger trigger, int ringsDuringClip, EndReason endReason) {

    /** Why a clip ended. */
    public enum EndReason {
        /** The post-roll passed with no motion and no ring. */
        QUIET,
        /** The clip reached the maximum clip length; a new one may start at the next frame. */
        MAX_LENGTH,
        /** The camera was stopped. */
        STOPPED
    }
}
