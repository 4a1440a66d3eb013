package dev.doorbell.device.camera;

/**
 * Receives the clips a camera records, on the camera's thread, in order: {@code clipStarted}, then every frame
 * (exactly one, the final one, with {@code last} true), then {@code clipEnded}. Clips never overlap.
 */
public interface ClipListener {

    void clipStarted(ClipStart start);

    void frame(EncodedFrame frame, boolean last);

    void clipEnded(ClipSummary summary);
}
