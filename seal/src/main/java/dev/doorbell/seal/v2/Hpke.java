package dev.doorbell.seal.v2;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * HPKE (RFC 9180) of format v2 through BouncyCastle: mode_base, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * AES-256-GCM, single-shot. The sender's ephemeral key is drawn from the caller's random (RFC 9180 GenerateKeyPair:
 * 32 bytes, clamped) rather than BouncyCastle's own, so that randomness stays injected like everywhere else in the
 * format and the test vectors can be reproduced.
 */
final class Hpke {
    static final int ENC_BYTES = 32;
    static final int TAG_BYTES = 16;

    private Hpke() {}

    /** A fresh HPKE object of the suite: BouncyCastle's are not thread-safe, so each use makes its own. */
    static HPKE suite() {
        return new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM256);
    }

    /** One wrapped key: {@code enc} (32 bytes) and the ciphertext (plaintext + 16). */
    record Sealed(byte[] enc, byte[] ciphertext) {}

    /** The recipient's key is not the one the wrapped key was made for, or the wrapped key was altered. */
    static final class OpenFailed extends Exception {
        private static final long serialVersionUID = 1L;

        OpenFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** SealBase(pkR, info, aad, pt) with an ephemeral key from {@code random}. */
    static Sealed seal(
            HPKE hpke, byte[] recipientPublicKey, byte[] info, byte[] aad, byte[] plaintext, SecureRandom random) {
        byte[] ephemeral = new byte[RecipientKeyPair.PRIVATE_KEY_BYTES];
        try {
            X25519.generatePrivateKey(random, ephemeral);
            X25519PrivateKeyParameters skE = new X25519PrivateKeyParameters(ephemeral);
            AsymmetricCipherKeyPair kpE = new AsymmetricCipherKeyPair(skE.generatePublicKey(), skE);
            HPKEContextWithEncapsulation context =
                    hpke.setupBaseS(new X25519PublicKeyParameters(recipientPublicKey), info, kpE);
            return new Sealed(context.getEncapsulation(), context.seal(aad, plaintext));
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("HPKE sealing failed: " + e.getMessage(), e);
        } finally {
            Arrays.fill(ephemeral, (byte) 0);
        }
    }

    /**
     * OpenBase(enc, skR, info, aad, ct). Every failure, a wrong tag or an {@code enc} that gives an all-zero shared
     * secret (RFC 9180 §7.1.4: a small-order point) alike, is {@link OpenFailed}.
     */
    static byte[] open(byte[] privateKey, byte[] publicKey, byte[] enc, byte[] ciphertext, byte[] info, byte[] aad)
            throws OpenFailed {
        if (enc.length != ENC_BYTES) {
            throw new OpenFailed("enc is " + enc.length + " bytes, expected " + ENC_BYTES, null);
        }
        HPKE hpke = suite();
        try {
            AsymmetricCipherKeyPair skR = hpke.deserializePrivateKey(privateKey, publicKey);
            return hpke.setupBaseR(enc, skR, info).open(aad, ciphertext);
        } catch (InvalidCipherTextException e) {
            throw new OpenFailed("authentication failed", e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // X25519 with an all-zero result, or a ciphertext shorter than the tag.
            throw new OpenFailed(e.getMessage(), e);
        }
    }
}
