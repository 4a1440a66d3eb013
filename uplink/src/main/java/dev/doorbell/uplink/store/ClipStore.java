package dev.doorbell.uplink.store;

import java.util.List;

/** Durable storage of sealed clips, keyed by the device id from the TLS certificate. Placeholder from the brief. */
public interface ClipStore extends AutoCloseable {
  Submission openClip(String deviceId, long clipId, byte[] header);

  Submission appendFrame(String deviceId, long clipId, int seq, boolean last, byte[] meta, byte[] sealed);

  Submission closeClip(String deviceId, long clipId, int frameCount);

  /** Where a clip stands, or null when the store has never seen it. */
  ClipStatus status(String deviceId, long clipId);

  List<ClipStatus> openClips(String deviceId);

  StoreStats stats();

  @Override
  void close();
}
