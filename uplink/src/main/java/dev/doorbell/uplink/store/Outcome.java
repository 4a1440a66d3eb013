package dev.doorbell.uplink.store;

/** What the store did with a submission. */
public enum Outcome {
  ACCEPTED,
  DUPLICATE,
  UNKNOWN_CLIP,
  CLIP_CONFLICT,
  SEQUENCE_GAP,
  FRAME_CONFLICT,
  CLIP_CLOSED,
  BAD_CLOSE,
  STORAGE_UNAVAILABLE,
  STOPPED
}
