package dev.doorbell.device.camera;

import java.util.Objects;

/**
 * One encoded frame of a clip: a complete JPEG image, its capture time relative to the clip's first frame, and what
 * the camera knew about it (sealed with the frame in format v3, never public). The array is not copied: receivers
 * treat it as read-only (frames from a {@link FramePool} share arrays).
 *
 * @param ptsMicros capture time minus the capture time of the clip's frame 0, in microseconds
 * @param jpeg one complete baseline JPEG image
 * @param motionPermille the motion detector's score for this frame: the share of its grid that changed, 0..1000
 * @param ringPressed whether the doorbell button was pressed while this frame was captured
 */
public record EncodedFrame(long ptsMicros, byte[] jpeg, int motionPermille, boolean ringPressed) {

    public EncodedFrame {
        if (ptsMicros < 0) {
            throw new IllegalArgumentException("frame pts must be >= 0, got " + ptsMicros);
        }
        Objects.requireNonNull(jpeg, "jpeg");
        if (motionPermille < 0 || motionPermille > 1000) {
            throw new IllegalArgumentException("motion score must be 0..1000 permille, got " + motionPermille);
        }
    }

    /** A frame without a motion score or a press: test pictures, a fleet's payloads. */
    public EncodedFrame(long ptsMicros, byte[] jpeg) {
        this(ptsMicros, jpeg, 0, false);
    }

    public int size() {
        return jpeg.length;
    }

    /** Sizes only: a frame's content is what the sealing protects, so it is never printed. */
    @Override
    public String toString() {
        return "EncodedFrame{ptsMicros=" + ptsMicros + ", bytes=" + jpeg.length + ", motion=" + motionPermille
                + " permille, ring=" + ringPressed + "}";
    }
}
