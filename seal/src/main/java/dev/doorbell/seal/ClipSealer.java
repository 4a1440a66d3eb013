package dev.doorbell.seal;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.internal.FrameSealer;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.v2.ClipSealing;
import java.security.SecureRandom;

/**
 * Seals the frames of one clip (docs/FORMAT.md §2–§4). The caller never chooses a nonce: each clip draws a fresh
 * salt and nonce prefix, and frame {@code i} gets nonce {@code prefix ‖ u32be(i) ‖ last}, so a nonce cannot repeat
 * under a clip key. After the final frame the clip key is erased and every further call throws. Not thread-safe.
 */
public final class ClipSealer implements ClipSealing {
    private final ClipHeader header;
    private final byte[] headerBytes;
    private final FrameSealer frames;

    private ClipSealer(ClipParams params, ClipHeader header, byte[] clipKey, GcmProvider provider) {
        this.header = header;
        this.headerBytes = header.toByteArray();
        this.frames = new FrameSealer(
                params.deviceId(),
                params.clipId(),
                headerBytes,
                header.getNoncePrefix().toByteArray(),
                clipKey,
                provider);
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
        // The frame sealer takes over clipKey and zeroes it after the final frame.
        return new ClipSealer(params, header, clipKey, provider);
    }

    /** The header bytes to send in ClipOpen.header; always the same bytes for this clip. */
    @Override
    public byte[] headerBytes() {
        return headerBytes.clone();
    }

    public ClipHeader header() {
        return header;
    }

    @Override
    public long clipId() {
        return header.getClipId();
    }

    /** The seq the next {@link #seal} call will use. */
    @Override
    public int nextSeq() {
        return frames.nextSeq();
    }

    /**
     * Seals the next frame. {@code last} marks the final frame of the clip; after it the clip key is erased.
     *
     * @throws IllegalStateException after the final frame
     */
    @Override
    public SealedFrame seal(long ptsMicros, byte[] plaintext, boolean last) {
        return frames.seal(ptsMicros, plaintext, last);
    }

    @Override
    public boolean isFinished() {
        return frames.isFinished();
    }

    @Override
    public void abandon() {
        frames.abandon();
    }

    /**
     * Moves on to a later seq without sealing the frames in between, for tests of the last seq (sealing up to it takes
     * 2^31 frames). Forward only, so that no nonce is used twice under the clip key.
     */
    void skipTo(int seq) {
        frames.skipTo(seq);
    }

    /** Whether the clip key is erased, for tests: it must be once the final frame is sealed. */
    boolean isKeyDestroyed() {
        return frames.isKeyDestroyed();
    }

    @Override
    public String toString() {
        return "ClipSealer{device=" + header.getDeviceId() + ", clip=" + header.getClipId() + ", epoch="
                + header.getKeyEpoch() + ", nextSeq=" + frames.nextSeq() + (frames.isFinished() ? ", finished" : "")
                + "}";
    }
}
