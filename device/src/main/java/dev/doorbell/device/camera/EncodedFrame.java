package dev.doorbell.device.camera;

import java.util.Objects;

/**
 * One encoded frame of a clip: a complete JPEG image and its capture time relative to the clip's first frame.
 * The array is not copied: receivers treat it as read-only (frames from a {@link FramePool} share arrays).
 *
 * @param ptsMicros capture time minus the capture time of the clip's frame 0, in microseconds
 * @param jpeg one complete baseline JPEG image
 */
public record EncodedFrame(long ptsMicros, byte[] jpeg) {

    public EncodedFrame {
        if (ptsMicros < 0) {
            throw new IllegalArgumentException("frame pts must be >= 0, got " + ptsMicros);
        }
        Objects.requireNonNull(jpeg, "jpeg");
    }

    public int size() {
        return jpeg.length;
    }

    /** Sizes only: a frame's content is what the sealing protects, so it is never printed. */
    @Override
    public String toString() {
        return "EncodedFrame{ptsMicros=" + ptsMicros + ", bytes=" + jpeg.length + "}";
    }
}
