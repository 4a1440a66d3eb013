package dev.doorbell.seal.internal;

import dev.doorbell.proto.v1.FrameMeta;
import dev.doorbell.seal.GcmProvider;
import dev.doorbell.seal.SealedFrame;

/**
 * The frames of one clip after its header is made, v1 and v2 alike (docs/FORMAT.md §4): frame {@code i} gets nonce
 * {@code prefix ‖ u32be(i) ‖ last} and AAD {@code SHA-256(header bytes) ‖ u32be(i) ‖ last ‖ meta}, so the caller
 * never chooses a nonce. Takes over the clip's AES key and zeroes it after the final frame, or when abandoned. Not
 * thread-safe.
 */
public final class FrameSealer {
    private final String deviceId;
    private final long clipId;
    private final byte[] headerHash;
    private final byte[] noncePrefix;
    private final AesGcm gcm;
    private int nextSeq;
    private boolean finished;
    /** Set only by the insecure fault bench (docs/FIRMWARE.md, "Fault modes"); never by the device's normal path. */
    private boolean insecureAadCorrupted;

    /** Takes ownership of {@code aesKey} (no copy): it is zeroed after the final frame. */
    public FrameSealer(
            String deviceId, long clipId, byte[] headerBytes, byte[] noncePrefix, byte[] aesKey, GcmProvider provider) {
        this.deviceId = deviceId;
        this.clipId = clipId;
        this.headerHash = ClipFormat.sha256(headerBytes);
        this.noncePrefix = noncePrefix.clone();
        this.gcm = AesGcm.create(provider, aesKey);
    }

    public int nextSeq() {
        return nextSeq;
    }

    public boolean isFinished() {
        return finished;
    }

    /**
     * Seals the next frame of v1 or v2, with its FrameMeta; after the {@code last} one the key is erased.
     *
     * @throws IllegalStateException after the final frame or once abandoned
     */
    public SealedFrame seal(long ptsMicros, byte[] plaintext, boolean last) {
        requireOpen();
        if (ptsMicros < 0) {
            throw new IllegalArgumentException("clip " + clipId + " of device " + deviceId + " frame " + nextSeq
                    + ": pts " + ptsMicros + " us must not be negative");
        }
        byte[] meta = FrameMeta.newBuilder()
                .setPtsUs(ptsMicros)
                .setPlaintextLength(plaintext.length)
                .build()
                .toByteArray();
        return sealWithMeta(meta, plaintext, last);
    }

    /**
     * Seals {@code plaintext} as the next frame with {@code meta} in its AAD exactly as given (empty for v3, whose
     * plaintext carries the frame's facts); after the {@code last} one the key is erased.
     *
     * @throws IllegalStateException after the final frame or once abandoned
     */
    public SealedFrame sealWithMeta(byte[] meta, byte[] plaintext, boolean last) {
        requireOpen();
        if (nextSeq == Integer.MAX_VALUE && !last) {
            throw new IllegalStateException("clip " + clipId + " of device " + deviceId + " reached the last seq");
        }
        int seq = nextSeq;
        byte[] aad = ClipFormat.aad(headerHash, seq, last, meta);
        if (insecureAadCorrupted) {
            aad[0] ^= 1;
        }
        byte[] sealed = gcm.seal(ClipFormat.nonce(noncePrefix, seq, last), aad, plaintext);
        nextSeq++;
        if (last) {
            abandon();
        }
        return new SealedFrame(clipId, seq, last, meta.clone(), sealed);
    }

    private void requireOpen() {
        if (finished) {
            throw new IllegalStateException("clip " + clipId + " of device " + deviceId + " is finished after frame "
                    + (nextSeq - 1) + "; no more frames can be sealed");
        }
    }

    /** Ends the clip without a final frame: the key is erased now and every later {@link #seal} throws. */
    public void abandon() {
        finished = true;
        gcm.destroy();
    }

    /** Moves on to a later seq without sealing the frames in between (tests of the last seq); forward only. */
    public void skipTo(int seq) {
        if (seq < nextSeq) {
            throw new IllegalArgumentException("clip " + clipId + " of device " + deviceId
                    + ": cannot go back from seq " + nextSeq + " to " + seq);
        }
        nextSeq = seq;
    }

    /**
     * INSECURE, for the firmware-fault bench only: the frame counter goes back to {@code seq}, so the next frames reuse
     * nonces under this clip's key. The device never calls it without {@code simulate --fault counter-reset}.
     */
    public void insecureRewindTo(int seq) {
        if (seq < 0 || seq > nextSeq) {
            throw new IllegalArgumentException(
                    "clip " + clipId + " of device " + deviceId + ": cannot rewind from seq " + nextSeq + " to " + seq);
        }
        nextSeq = seq;
    }

    /**
     * INSECURE, for the firmware-fault bench only: every later frame is sealed with one bit of its AAD flipped, so no
     * honest opener can authenticate it. The device never calls it without {@code simulate --fault wrong-aad}.
     */
    public void insecureCorruptAad() {
        insecureAadCorrupted = true;
    }

    public boolean isKeyDestroyed() {
        return gcm.isDestroyed();
    }
}
