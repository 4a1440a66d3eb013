package dev.doorbell.device.sim;

import dev.doorbell.seal.SealedFrame;

/**
 * Sees every frame a simulated doorbell seals, with the encoded frame it came from. Tests use it to compare what
 * was sent with what the uplink stored and what the owner opened; it is called on the camera's thread.
 */
public interface SealObserver {
  SealObserver NONE = new SealObserver() {};

  default void headerSealed(String deviceId, long clipId, byte[] headerBytes) {}

  default void frameSealed(String deviceId, SealedFrame sealed, byte[] plaintext) {}
}
