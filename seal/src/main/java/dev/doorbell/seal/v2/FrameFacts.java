package dev.doorbell.seal.v2;

/**
 * What the camera knows about one frame of a v3 clip, sealed with it in its FrameInfo (docs/FORMAT.md §17): the
 * capture time relative to the clip's start, the motion detector's score (0..1000) and whether the button was
 * pressed while the frame was captured.
 */
public record FrameFacts(long ptsMicros, int motionPermille, boolean ringPressed) {
    public static final int MAX_MOTION_PERMILLE = 1000;

    public FrameFacts {
        if (ptsMicros < 0) {
            throw new IllegalArgumentException("pts " + ptsMicros + " us must not be negative");
        }
        if (motionPermille < 0 || motionPermille > MAX_MOTION_PERMILLE) {
            throw new IllegalArgumentException(
                    "motion score " + motionPermille + " permille is outside 0.." + MAX_MOTION_PERMILLE);
        }
    }
}
