package dev.doorbell.device.camera;

/**
 * Counters of one camera since it was made.
 *
 * @param framesCaptured frames rendered, checked for motion and encoded
 * @param framesDropped frame slots skipped because the camera fell behind a real-time clock
 * @param motionFrames captured frames in which the detector saw motion
 * @param clipsStarted clips started
 * @param lastMotionScore the detector's score of the latest frame, 0..1
 */
public record CameraStats(
        long framesCaptured, long framesDropped, long motionFrames, long clipsStarted, double lastMotionScore) {}
