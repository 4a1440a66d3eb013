package dev.doorbell.seal.v2;

import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.seal.internal.FrameSealer;

/**
 * What a v2 and a v3 clip being sealed have alike once started: the signed header and its bytes, and the frame
 * sealer that holds the AES key. The subclasses say how a frame's plaintext is made. Not thread-safe.
 */
abstract class SignedClipSealing implements ClipSealing {
    final ClipHeader header;
    final FrameSealer frames;
    private final byte[] headerBytes;

    SignedClipSealing(ClipHeader header, byte[] headerBytes, FrameSealer frames) {
        this.header = header;
        this.headerBytes = headerBytes;
        this.frames = frames;
    }

    /** The SignedClipHeader bytes to send in ClipOpen.header; always the same bytes for this clip. */
    @Override
    public byte[] headerBytes() {
        return headerBytes.clone();
    }

    /** The signed ClipHeader. */
    public ClipHeader header() {
        return header;
    }

    @Override
    public long clipId() {
        return header.getClipId();
    }

    @Override
    public int nextSeq() {
        return frames.nextSeq();
    }

    @Override
    public boolean isFinished() {
        return frames.isFinished();
    }

    @Override
    public void abandon() {
        frames.abandon();
    }

    /** Whether the AES key is erased, for tests: it must be once the final frame is sealed or the clip abandoned. */
    boolean isKeyDestroyed() {
        return frames.isKeyDestroyed();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{device=" + header.getDeviceId() + ", clip="
                + Long.toUnsignedString(header.getClipId())
                + (header.hasChain() ? ", position " + header.getChain().getPosition() : "") + ", recipients="
                + header.getWrappedKeysCount() + ", list version " + header.getRecipientListVersion() + ", nextSeq="
                + frames.nextSeq() + (frames.isFinished() ? ", finished" : "") + "}";
    }
}
