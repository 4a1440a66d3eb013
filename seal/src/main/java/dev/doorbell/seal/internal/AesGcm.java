package dev.doorbell.seal.internal;

import dev.doorbell.seal.GcmProvider;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-GCM with 12-byte nonces and 16-byte tags under one key, on the chosen provider. The caller supplies every
 * nonce: this engine is internal, and only {@code ClipSealer} (which derives nonces from the frame position) and
 * the opener call it. Not thread-safe.
 */
public final class AesGcm {
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;
    private static final int TAG_BITS = TAG_BYTES * 8;

    private final GcmProvider provider;
    private final byte[] key;
    private SecretKeySpec jcaKey;
    private Cipher jcaCipher;
    private boolean destroyed;

    private AesGcm(GcmProvider provider, byte[] key) {
        if (key.length != 16 && key.length != 24 && key.length != 32) {
            throw new IllegalArgumentException("AES key of " + key.length + " bytes; expected 16, 24 or 32");
        }
        this.provider = provider;
        this.key = key;
        this.jcaKey = provider == GcmProvider.JCA ? new SecretKeySpec(key, "AES") : null;
    }

    /**
     * An engine that takes ownership of {@code key} (no copy, so that a derived clip key exists once):
     * {@link #destroy()} zeroes that very array.
     */
    public static AesGcm create(GcmProvider provider, byte[] key) {
        return new AesGcm(provider, key);
    }

    /** Returns ciphertext ‖ tag. */
    public byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext) {
        requireLive();
        requireNonce(nonce);
        try {
            if (provider == GcmProvider.JCA) {
                Cipher cipher = jca(Cipher.ENCRYPT_MODE, nonce);
                cipher.updateAAD(aad);
                return cipher.doFinal(plaintext);
            }
            return bc(true, nonce, aad, plaintext);
        } catch (GeneralSecurityException | InvalidCipherTextException e) {
            throw new IllegalStateException("AES-GCM sealing failed on " + provider + ": " + e.getMessage(), e);
        }
    }

    /** Returns the plaintext, or throws {@link AEADBadTagException} if the tag does not verify. */
    public byte[] open(byte[] nonce, byte[] aad, byte[] sealed) throws AEADBadTagException {
        requireLive();
        requireNonce(nonce);
        if (sealed.length < TAG_BYTES) {
            throw new AEADBadTagException(
                    "sealed bytes (" + sealed.length + ") shorter than the " + TAG_BYTES + "-byte tag");
        }
        try {
            if (provider == GcmProvider.JCA) {
                Cipher cipher = jca(Cipher.DECRYPT_MODE, nonce);
                cipher.updateAAD(aad);
                return cipher.doFinal(sealed);
            }
            return bc(false, nonce, aad, sealed);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (InvalidCipherTextException e) {
            throw new AEADBadTagException("tag mismatch");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM opening failed on " + provider + ": " + e.getMessage(), e);
        }
    }

    /**
     * Zeroes the key and lets go of the JCA objects made from it; any later use throws. The JCA's
     * {@code SecretKeySpec} and cipher keep their own copies, which JDK 17 cannot erase: once dropped here nothing of
     * the sealer or opener reaches them, and they stay in the heap until collected.
     */
    public void destroy() {
        destroyed = true;
        Arrays.fill(key, (byte) 0);
        jcaKey = null;
        jcaCipher = null;
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    private void requireLive() {
        if (destroyed) {
            throw new IllegalStateException("AES-GCM key was destroyed");
        }
    }

    private Cipher jca(int mode, byte[] nonce) throws GeneralSecurityException {
        if (jcaCipher == null) {
            jcaCipher = Cipher.getInstance("AES/GCM/NoPadding");
        }
        jcaCipher.init(mode, jcaKey, new GCMParameterSpec(TAG_BITS, nonce));
        return jcaCipher;
    }

    private byte[] bc(boolean encrypt, byte[] nonce, byte[] aad, byte[] input) throws InvalidCipherTextException {
        GCMModeCipher cipher = GCMBlockCipher.newInstance(AESEngine.newInstance());
        cipher.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BITS, nonce, aad));
        byte[] out = new byte[cipher.getOutputSize(input.length)];
        int n = cipher.processBytes(input, 0, input.length, out, 0);
        n += cipher.doFinal(out, n);
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static void requireNonce(byte[] nonce) {
        if (nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("AES-GCM nonce of " + nonce.length + " bytes; expected " + NONCE_BYTES);
        }
    }
}
