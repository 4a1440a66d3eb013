package dev.doorbell.fleet;

import dev.doorbell.device.camera.FramePool;

/**
 * The plaintexts a fleet's devices seal: the profile's pre-encoded JPEG frames of a porch scene (as doorbells send),
 * or random bytes of a chosen size range ({@link PayloadPool}, as the store benchmark sends). Made once per run, so
 * that the run spends its CPU on sealing and sending. Thread-safe; callers must not modify what they get.
 */
interface Payloads {
    /** The plaintext of a device's draw number {@code draw}. */
    byte[] payload(long draw);

    /** The largest plaintext: what each device's link buffer must have room for, frame by frame. */
    int largestBytes();

    /** The profile's frames, handed out round robin whatever the draw. */
    static Payloads of(FramePool frames) {
        return new Payloads() {
            @Override
            public byte[] payload(long draw) {
                return frames.next(0).jpeg();
            }

            @Override
            public int largestBytes() {
                return frames.largestFrameBytes();
            }

            @Override
            public String toString() {
                return frames.toString();
            }
        };
    }
}
