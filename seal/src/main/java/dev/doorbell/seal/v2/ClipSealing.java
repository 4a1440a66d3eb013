package dev.doorbell.seal.v2;

import dev.doorbell.seal.SealedFrame;

/**
 * One clip being sealed, whatever the format: v1's {@code ClipSealer} (kept for tests and v1 stores) and
 * {@link ClipSealerV2}. The device's uploader holds one per open clip. Not thread-safe.
 */
public interface ClipSealing {
    /** The header bytes to send in ClipOpen.header; always the same bytes for this clip. */
    byte[] headerBytes();

    long clipId();

    /** The seq the next {@link #seal} call will use. */
    int nextSeq();

    /**
     * Seals the next frame; {@code last} marks the final frame, after which the clip key is erased.
     *
     * @throws IllegalStateException after the final frame, or once abandoned
     */
    SealedFrame seal(long ptsMicros, byte[] plaintext, boolean last);

    /** Whether the final frame is sealed or the clip was abandoned: no more frames can be sealed. */
    boolean isFinished();

    /**
     * Ends the clip without a final frame (the link refused it, the device stops): erases the clip key now, so that
     * an abandoned clip leaves no key behind either. Idempotent.
     */
    void abandon();
}
