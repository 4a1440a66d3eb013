package dev.doorbell.uplink.store;

/** What the store did with a submission; every value but the first two is a refusal that stored nothing. */
public enum Outcome {
    /** A new record was queued; its future completes when it is durable. */
    ACCEPTED,
    /** The same bytes are already stored or queued; the future completes when that original is durable. */
    DUPLICATE,
    /** A frame or close for a clip whose header was never stored. */
    UNKNOWN_CLIP,
    /** A clip id that is already stored under different header bytes. */
    CLIP_CONFLICT,
    /** A frame beyond the next expected sequence number. */
    SEQUENCE_GAP,
    /** Different bytes for a frame already stored or queued: possible nonce reuse; nothing was overwritten. */
    FRAME_CONFLICT,
    /** A new frame after the final frame or after the close of the clip. */
    CLIP_CLOSED,
    /** A close whose frame count disagrees with the frames received, or that comes before the final frame. */
    BAD_CLOSE,
    /** The store cannot write now (disk full, failed fsync); retry later. */
    STORAGE_UNAVAILABLE,
    /** The store is closing or closed. */
    STOPPED
}
