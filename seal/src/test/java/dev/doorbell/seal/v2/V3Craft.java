package dev.doorbell.seal.v2;

import dev.doorbell.seal.keys.internal.Hkdf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals what a v3 sealer never would (a ClipInfo or frame plaintext that breaks a rule of docs/FORMAT.md §17) under
 * a clip's real keys, from its clip key {@code k}, with plain JCA: the opener must then find the rule broken after
 * every tag verified. Test only.
 */
final class V3Craft {
    private final String deviceId;
    private final long clipId;
    private final byte[] noncePrefix;
    private final byte[] aesKey;
    private final byte[] infoKey;

    V3Craft(String deviceId, long clipId, byte[] clipKey, byte[] noncePrefix) {
        this.deviceId = deviceId;
        this.clipId = clipId;
        this.noncePrefix = noncePrefix.clone();
        byte[] okm = Hkdf.sha256(clipKey, null, perClip("doorbell/v3/clip-key"), 96);
        this.aesKey = Arrays.copyOfRange(okm, 0, 32);
        this.infoKey = Arrays.copyOfRange(okm, 64, 96);
    }

    /** {@code u32be(declared) ‖ body ‖ zero bytes} to {@code total} bytes (body cut if it does not fit). */
    static byte[] prefixed(int declared, byte[] body, int total) {
        ByteBuffer out = ByteBuffer.allocate(total).putInt(declared);
        out.put(body, 0, Math.min(body.length, total - 4));
        return out.array();
    }

    /** {@code u32be(info.length) ‖ info ‖ image ‖ zero bytes} to {@code total} bytes. */
    static byte[] framePlaintext(byte[] info, byte[] image, int total) {
        return ByteBuffer.allocate(total)
                .putInt(info.length)
                .put(info)
                .put(image)
                .array();
    }

    /** The info plaintext sealed as sealed_info is: info key, 12 zero nonce bytes, the clip-info AAD. */
    byte[] sealInfo(byte[] plaintext) {
        return gcm(infoKey, new byte[12], perClip("doorbell/v3/clip-info"), plaintext);
    }

    /** A frame sealed at {@code seq} of the clip with header {@code headerBytes}, {@code meta} in its AAD. */
    byte[] sealFrame(byte[] headerBytes, int seq, boolean last, byte[] meta, byte[] plaintext) {
        byte[] position =
                ByteBuffer.allocate(5).putInt(seq).put((byte) (last ? 1 : 0)).array();
        byte[] nonce = ByteBuffer.allocate(12).put(noncePrefix).put(position).array();
        byte[] hash = sha256(headerBytes);
        byte[] aad = ByteBuffer.allocate(32 + 5 + meta.length)
                .put(hash)
                .put(position)
                .put(meta)
                .array();
        return gcm(aesKey, nonce, aad, plaintext);
    }

    private byte[] perClip(String label) {
        byte[] l = label.getBytes(StandardCharsets.US_ASCII);
        byte[] d = deviceId.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(l.length + 1 + d.length + 1 + 8)
                .put(l)
                .put((byte) 0)
                .put(d)
                .put((byte) 0)
                .putLong(clipId)
                .array();
    }

    private static byte[] gcm(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
