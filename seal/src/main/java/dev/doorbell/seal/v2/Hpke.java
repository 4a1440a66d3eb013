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
 * HPKE (RFC 9180) of format v2 through BouncyCastle: mode_base, HKDF-SHA256, AES-256-GCM, single-shot, with the KEM
 * of the recipient's key ({@link Kem}): DHKEM(X25519, HKDF-SHA256) or X-Wing. This class is the one place that
 * tells the KEMs apart for their cryptography; everything else goes through {@link #seal} and {@link #open}.
 *
 * <p>The sender's randomness comes from the caller's random rather than BouncyCastle's own, so that randomness
 * stays injected like everywhere else in the format and the test vectors can be reproduced: for X25519 the 32 bytes
 * of the ephemeral private key (RFC 9180 GenerateKeyPair, clamped), for X-Wing the draft's 64-byte {@code eseed}
 * (32 bytes of ML-KEM-768 encapsulation randomness, then the ephemeral X25519 key), which BouncyCastle 1.87's HPKE
 * takes in {@code setupBaseS(pkR, info, eseed)}. BouncyCastle's HPKE runs the RFC 9180 key schedule over X-Wing's
 * shared secret itself (kem id 0x647a in the suite id), so no key schedule of our own is needed.
 */
final class Hpke {
    static final int TAG_BYTES = 16;
    /** The X-Wing draft's encapsulation randomness {@code eseed}. */
    static final int XWING_ESEED_BYTES = 64;

    private Hpke() {}

    /** A fresh HPKE object of the suite: BouncyCastle's are not thread-safe, so each use makes its own. */
    static HPKE suite(Kem kem) {
        short kemId = switch (kem) {
            case X25519 -> HPKE.kem_X25519_SHA256;
            case X_WING -> HPKE.kem_X_WING;
        };
        return new HPKE(HPKE.mode_base, kemId, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM256);
    }

    /** One wrapped key: {@code enc} (the KEM's size) and the ciphertext (plaintext + 16). */
    record Sealed(byte[] enc, byte[] ciphertext) {}

    /** The recipient's key is not the one the wrapped key was made for, or the wrapped key was altered. */
    static final class OpenFailed extends Exception {
        private static final long serialVersionUID = 1L;

        OpenFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** SealBase(pkR, info, aad, pt) to {@code recipient}'s key, with the KEM's randomness from {@code random}. */
    static Sealed seal(RecipientPublicKey recipient, byte[] info, byte[] aad, byte[] plaintext, SecureRandom random) {
        Kem kem = recipient.kemType();
        HPKE hpke = suite(kem);
        byte[] randomness = new byte[kem == Kem.X_WING ? XWING_ESEED_BYTES : RecipientKeyPair.PRIVATE_KEY_BYTES];
        try {
            HPKEContextWithEncapsulation context;
            if (kem == Kem.X_WING) {
                random.nextBytes(randomness);
                context = hpke.setupBaseS(hpke.deserializePublicKey(recipient.publicKey()), info, randomness);
            } else {
                X25519.generatePrivateKey(random, randomness);
                X25519PrivateKeyParameters skE = new X25519PrivateKeyParameters(randomness);
                AsymmetricCipherKeyPair kpE = new AsymmetricCipherKeyPair(skE.generatePublicKey(), skE);
                context = hpke.setupBaseS(new X25519PublicKeyParameters(recipient.publicKey()), info, kpE);
            }
            return new Sealed(context.getEncapsulation(), context.seal(aad, plaintext));
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("HPKE sealing failed: " + e.getMessage(), e);
        } finally {
            Arrays.fill(randomness, (byte) 0);
        }
    }

    /**
     * OpenBase(enc, skR, info, aad, ct) with the private key of {@code kem} (for X-Wing the seed, expanded here).
     * Every failure, a wrong tag, an {@code enc} of the wrong size, or an X25519 {@code enc} that gives an all-zero
     * shared secret (RFC 9180 §7.1.4: a small-order point) alike, is {@link OpenFailed}.
     */
    static byte[] open(
            Kem kem, byte[] privateKey, byte[] publicKey, byte[] enc, byte[] ciphertext, byte[] info, byte[] aad)
            throws OpenFailed {
        if (enc.length != kem.encBytes()) {
            throw new OpenFailed("enc is " + enc.length + " bytes, expected " + kem.encBytes(), null);
        }
        HPKE hpke = suite(kem);
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

    /** ML-KEM-768's q, and the bytes of its encapsulation key's t vector (k = 3 polynomials of 384 bytes). */
    private static final int ML_KEM_Q = 3329;

    private static final int ML_KEM_768_T_BYTES = 3 * 384;

    /**
     * What makes a public key of {@code kem} unusable, or null. Only X-Wing keys can be: their ML-KEM-768 part must
     * pass FIPS 203's modulus check (§7.2: every 12-bit coefficient of t below q), without which encapsulation fails.
     * Checked where a key enters (key files, lists) so that a bad key is refused there, and not at every clip start
     * of every device that holds a list naming it.
     */
    static String publicKeyProblem(Kem kem, byte[] publicKey) {
        if (kem != Kem.X_WING) {
            return null;
        }
        for (int i = 0; i < ML_KEM_768_T_BYTES; i += 3) {
            int b0 = publicKey[i] & 0xff;
            int b1 = publicKey[i + 1] & 0xff;
            int b2 = publicKey[i + 2] & 0xff;
            if ((b0 | (b1 & 0x0f) << 8) >= ML_KEM_Q || (b1 >> 4 | b2 << 4) >= ML_KEM_Q) {
                return "its ML-KEM-768 key fails the modulus check of FIPS 203 §7.2 (a coefficient of t at byte " + i
                        + " is not below 3329): no clip can be wrapped to it";
            }
        }
        return null;
    }

    /** The public key of a private key of {@code kem} (for X-Wing: the seed expanded, as the draft's KeyGen). */
    static byte[] publicKeyOf(Kem kem, byte[] privateKey) {
        if (kem == Kem.X25519) {
            byte[] pk = new byte[kem.publicKeyBytes()];
            X25519.generatePublicKey(privateKey, 0, pk, 0);
            return pk;
        }
        HPKE hpke = suite(kem);
        return hpke.serializePublicKey(
                hpke.deserializePrivateKey(privateKey, null).getPublic());
    }
}
