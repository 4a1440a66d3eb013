package dev.doorbell.uplink.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The durable and pending state of one clip, guarded by the store's lock. Frames 0 .. persisted-1 are durable and
 * located by {@link #durableFrames}; frames persisted .. received-1 wait in {@link #pendingFrames} in seq order.
 */
final class ClipState {
  final String deviceId;
  final long clipId;
  final byte[] header;
  final FrameLocations durableFrames = new FrameLocations();
  final List<PendingRecord> pendingFrames = new ArrayList<>();
  PendingRecord pendingOpen;
  int received;
  boolean lastReceived;
  boolean lastPersisted;
  boolean closeReceived;
  boolean closePersisted;
  int closeFrameCount;
  PendingRecord pendingClose;

  ClipState(String deviceId, long clipId, byte[] header) {
    this.deviceId = deviceId;
    this.clipId = clipId;
    this.header = header;
  }

  int persisted() {
    return durableFrames.size();
  }

  /** Forgets everything not durable yet; returns false when not even the header is durable. */
  boolean rollbackToDurable() {
    if (pendingOpen != null) {
      return false;
    }
    pendingFrames.clear();
    received = persisted();
    lastReceived = lastPersisted;
    if (pendingClose != null) {
      pendingClose = null;
      closeReceived = false;
      closeFrameCount = 0;
    }
    return true;
  }

  ClipStatus status() {
    return new ClipStatus(
        deviceId, clipId, received, persisted(), lastReceived, closeReceived, closePersisted);
  }

  String name() {
    return "device " + deviceId + " clip " + Long.toUnsignedString(clipId);
  }
}
