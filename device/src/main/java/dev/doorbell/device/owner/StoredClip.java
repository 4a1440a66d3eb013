package dev.doorbell.device.owner;

import dev.doorbell.device.seal.StoredFrameBytes;
import java.util.List;

/**
 * One clip as the uplink stored it: the header bytes and the frames in stored order, exactly as read from the
 * store. {@code header} is null when the store holds frames but no header for the clip.
 */
public record StoredClip(
    String deviceId, long clipId, byte[] header, List<StoredFrameBytes> frames, boolean closed, long sealedBytes) {

  public StoredClip {
    frames = List.copyOf(frames);
  }

  /** The clip id as it appears in paths and tables: 16 lowercase hex digits. */
  public String clipName() {
    return String.format("%016x", clipId);
  }
}
