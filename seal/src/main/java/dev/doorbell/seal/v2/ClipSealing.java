package dev.doorbell.seal.v2;

import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.internal.ClipFormat;

/**
 * One clip being sealed, whatever the format: v1's {@code ClipSealer} (kept for tests and v1 stores),
 * {@link ClipSealerV2} and {@link ClipSealerV3}. The device's uploader holds one per open clip. Not thread-safe.
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

    /**
     * Seals the next frame with what the camera knows about it. v3 seals all of {@code facts} with the image; v1 and
     * v2 have room for the capture time only, which they publish in the frame's metadata.
     *
     * @throws IllegalStateException after the final frame, or once abandoned
     */
    default SealedFrame seal(FrameFacts facts, byte[] image, boolean last) {
        return seal(facts.ptsMicros(), image, last);
    }

    /** SHA-256 of {@link #headerBytes()}: what the next clip's chain link names (docs/FORMAT.md §17). */
    default byte[] headerSha256() {
        return ClipFormat.sha256(headerBytes());
    }

    /** Whether the final frame is sealed or the clip was abandoned: no more frames can be sealed. */
    boolean isFinished();

    /**
     * Ends the clip without a final frame (the link refused it, the device stops): erases the clip key now, so that
     * an abandoned clip leaves no key behind either. Idempotent.
     */
    void abandon();
}
