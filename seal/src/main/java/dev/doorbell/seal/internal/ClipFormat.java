package dev.doorbell.seal.internal;

import dev.doorbell.seal.keys.internal.Hkdf;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The byte strings of docs/FORMAT.md §2–§4 that the sealer and the opener must build identically: the clip key
 * derivation, the frame nonce and the frame AAD.
 */
public final class ClipFormat {
    public static final int FORMAT_VERSION = 1;
    public static final int SALT_BYTES = 32;
    public static final int NONCE_PREFIX_BYTES = 7;
    public static final int CLIP_KEY_BYTES = 32;
    public static final int COMMITMENT_BYTES = 32;
    public static final String CLIP_KEY_LABEL = "doorbell/v1/clip-key";

    private ClipFormat() {}

    /**
     * {@code HKDF(K_e, salt, "doorbell/v1/clip-key" ‖ 0x00 ‖ device_id ‖ 0x00 ‖ u64be(clip_id), 64)}: writes bytes
     * 0..31, the AES-256 clip key, into {@code clipKey} (32 bytes, the caller's to zero) and returns bytes 32..63, the
     * key commitment, which is public.
     */
    public static byte[] deriveClipKey(byte[] epochKey, String deviceId, long clipId, byte[] salt, byte[] clipKey) {
        if (clipKey.length != CLIP_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "clip key buffer of " + clipKey.length + " bytes; expected " + CLIP_KEY_BYTES);
        }
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.writeBytes(CLIP_KEY_LABEL.getBytes(StandardCharsets.US_ASCII));
        info.write(0);
        info.writeBytes(deviceId.getBytes(StandardCharsets.US_ASCII));
        info.write(0);
        info.writeBytes(ByteBuffer.allocate(8).putLong(clipId).array());
        byte[] commitment = new byte[COMMITMENT_BYTES];
        Hkdf.sha256Into(epochKey, salt, info.toByteArray(), clipKey, commitment);
        return commitment;
    }

    /** {@code nonce_prefix (7) ‖ u32be(seq) ‖ u8(last)}. */
    public static byte[] nonce(byte[] noncePrefix, int seq, boolean last) {
        return ByteBuffer.allocate(AesGcm.NONCE_BYTES)
                .put(noncePrefix)
                .putInt(seq)
                .put((byte) (last ? 1 : 0))
                .array();
    }

    /** {@code SHA-256(header bytes) (32) ‖ u32be(seq) ‖ u8(last) ‖ meta bytes}. */
    public static byte[] aad(byte[] headerHash, int seq, boolean last, byte[] meta) {
        return ByteBuffer.allocate(headerHash.length + 5 + meta.length)
                .put(headerHash)
                .putInt(seq)
                .put((byte) (last ? 1 : 0))
                .put(meta)
                .array();
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
