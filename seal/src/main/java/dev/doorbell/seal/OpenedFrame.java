package dev.doorbell.seal;

/**
 * A frame whose tag verified: its position, its capture time, its image and, in format v3, the motion score and
 * ring flag sealed with it (0 and false for v1 and v2, which have neither). {@code plaintext} is the image alone:
 * in v3 the FrameInfo and the padding are stripped.
 */
public record OpenedFrame(
        int seq, boolean last, long ptsMicros, byte[] plaintext, int motionPermille, boolean ringPressed) {
    /** A v1 or v2 frame: no motion score, no ring flag. */
    public OpenedFrame(int seq, boolean last, long ptsMicros, byte[] plaintext) {
        this(seq, last, ptsMicros, plaintext, 0, false);
    }

    /** The image, the same bytes as {@link #plaintext()}. */
    public byte[] image() {
        return plaintext;
    }
}
