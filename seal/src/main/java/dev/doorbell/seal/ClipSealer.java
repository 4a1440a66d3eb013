package dev.doorbell.seal;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.FrameMeta;
import dev.doorbell.seal.internal.AesGcm;
import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.keys.EpochKey;
import java.security.SecureRandom;

/**
 * Seals the frames of one clip (docs/FORMAT.md §2–§4). The caller never chooses a nonce: each clip draws a fresh
 * salt and nonce prefix, and frame {@code i} gets nonce {@code prefix ‖ u32be(i) ‖ last}, so a nonce cannot repeat
 * under a clip key. After the final frame the clip key is erased and every further call throws. Not thread-safe.
 */
public final class ClipSealer {
    private final String deviceId;
    private final long clipId;
    private final ClipHeader header;
    private final byte[] headerBytes;
    private final byte[] headerHash;
    private final byte[] noncePrefix;
    private final AesGcm gcm;
    private int nextSeq;
    private boolean finished;

    private ClipSealer(ClipParams params, ClipHeader header, AesGcm gcm) {
        this.deviceId = params.deviceId();
        this.clipId = params.clipId();
        this.header = header;
        this.headerBytes = header.toByteArray();
        this.headerHash = ClipFormat.sha256(headerBytes);
        this.noncePrefix = header.getNoncePrefix().toByteArray();
        this.gcm = gcm;
    }

    /** Starts a clip with the default (JCA) AES-GCM. The salt is drawn from {@code rnd} first, then the prefix. */
    public static ClipSealer start(EpochKey key, ClipParams params, SecureRandom rnd) {
        return start(key, params, rnd, GcmProvider.JCA);
    }

    public static ClipSealer start(EpochKey key, ClipParams params, SecureRandom rnd, GcmProvider provider) {
        if (!key.deviceId().equals(params.deviceId())) {
            throw new IllegalArgumentException("epoch key of device " + key.deviceId() + " cannot seal clip "
                    + params.clipId() + " of device " + params.deviceId());
        }
        byte[] salt = new byte[ClipFormat.SALT_BYTES];
        rnd.nextBytes(salt);
        byte[] prefix = new byte[ClipFormat.NONCE_PREFIX_BYTES];
        rnd.nextBytes(prefix);
        byte[] clipKey = new byte[ClipFormat.CLIP_KEY_BYTES];
        byte[] commitment = key.secret()
                .withCopy(epochKey ->
                        ClipFormat.deriveClipKey(epochKey, params.deviceId(), params.clipId(), salt, clipKey));
        // The engine takes over clipKey and zeroes it after the final frame.
        AesGcm gcm = AesGcm.create(provider, clipKey);
        ClipHeader header = ClipHeader.newBuilder()
                .setFormatVersion(ClipFormat.FORMAT_VERSION)
                .setDeviceId(params.deviceId())
                .setClipId(params.clipId())
                .setKeyEpoch(key.epoch())
                .setSalt(ByteString.copyFrom(salt))
                .setNoncePrefix(ByteString.copyFrom(prefix))
                .setTrigger(params.trigger())
                .setCodec(params.codec())
                .setWidth(params.width())
                .setHeight(params.height())
                .setFps(params.fps())
                .setStartTimeUnixMs(params.startTimeUnixMs())
                .setKeyCommitment(ByteString.copyFrom(commitment))
                .setPreRollMs(params.preRollMs())
                .build();
        return new ClipSealer(params, header, gcm);
    }

    /** The header bytes to send in ClipOpen.header; always the same bytes for this clip. */
    public byte[] headerBytes() {
        return headerBytes.clone();
    }

    public ClipHeader header() {
        return header;
    }

    public long clipId() {
        return clipId;
    }

    /** The seq the next {@link #seal} call will use. */
    public int nextSeq() {
        return nextSeq;
    }

    /**
     * Seals the next frame. {@code last} marks the final frame of the clip; after it the clip key is erased.
     *
     * @throws IllegalStateException after the final frame
     */
    public SealedFrame seal(long ptsMicros, byte[] plaintext, boolean last) {
        if (finished) {
            throw new IllegalStateException("clip " + clipId + " of device " + deviceId + " is finished after frame "
                    + (nextSeq - 1) + "; no more frames can be sealed");
        }
        if (ptsMicros < 0) {
            throw new IllegalArgumentException("clip " + clipId + " of device " + deviceId + " frame " + nextSeq
                    + ": pts " + ptsMicros + " us must not be negative");
        }
        if (nextSeq == Integer.MAX_VALUE && !last) {
            throw new IllegalStateException("clip " + clipId + " of device " + deviceId + " reached the last seq");
        }
        int seq = nextSeq;
        byte[] meta = FrameMeta.newBuilder()
                .setPtsUs(ptsMicros)
                .setPlaintextLength(plaintext.length)
                .build()
                .toByteArray();
        byte[] sealed = gcm.seal(
                ClipFormat.nonce(noncePrefix, seq, last), ClipFormat.aad(headerHash, seq, last, meta), plaintext);
        nextSeq++;
        if (last) {
            finished = true;
            gcm.destroy();
        }
        return new SealedFrame(clipId, seq, last, meta, sealed);
    }

    public boolean isFinished() {
        return finished;
    }

    /**
     * Moves on to a later seq without sealing the frames in between, for tests of the last seq (sealing up to it takes
     * 2^31 frames). Forward only, so that no nonce is used twice under the clip key.
     */
    void skipTo(int seq) {
        if (seq < nextSeq) {
            throw new IllegalArgumentException("clip " + clipId + " of device " + deviceId
                    + ": cannot go back from seq " + nextSeq + " to " + seq);
        }
        nextSeq = seq;
    }

    /** Whether the clip key is erased, for tests: it must be once the final frame is sealed. */
    boolean isKeyDestroyed() {
        return gcm.isDestroyed();
    }

    @Override
    public String toString() {
        return "ClipSealer{device=" + deviceId + ", clip=" + clipId + ", epoch=" + header.getKeyEpoch() + ", nextSeq="
                + nextSeq + (finished ? ", finished" : "") + "}";
    }
}
