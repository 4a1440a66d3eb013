package dev.doorbell.device.link;

import dev.doorbell.seal.SealedFrame;

/**
 * Sees every header and frame a {@link ClipUploader} seals, with the plaintext it came from, before the link has it.
 * Tests use it to compare what was sent with what the uplink stored and what the owner opened; a fleet records the
 * frame's send time there, before an ack can come. Called on the uploader's thread (the camera's, a sender's).
 */
public interface SealObserver {
    SealObserver NONE = new SealObserver() {};

    default void headerSealed(String deviceId, long clipId, byte[] headerBytes) {}

    default void frameSealed(String deviceId, SealedFrame sealed, byte[] plaintext) {}
}
