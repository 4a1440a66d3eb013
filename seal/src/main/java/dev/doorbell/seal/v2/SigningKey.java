package dev.doorbell.seal.v2;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.security.auth.Destroyable;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 private key (RFC 8032, pure Ed25519; the 32-byte seed): the owner's signing key or a device's. The seed
 * lives in one array that {@link #destroy()} zeroes; signing goes through BouncyCastle's RFC 8032 code with that
 * array, so no key object of a library keeps a copy. {@code toString} prints the public key's fingerprint only.
 * Signing is thread-safe; destroying it while another thread signs is not.
 */
public final class SigningKey implements Destroyable {
    public static final int SEED_BYTES = 32;

    private final byte[] seed;
    private final VerifyingKey publicKey;
    private volatile boolean destroyed;

    private SigningKey(byte[] seed) {
        this.seed = seed;
        byte[] pk = new byte[VerifyingKey.BYTES];
        Ed25519.generatePublicKey(seed, 0, pk, 0);
        this.publicKey = new VerifyingKey(pk);
    }

    /** A new key: 32 bytes from {@code random} as the seed. */
    public static SigningKey generate(SecureRandom random) {
        byte[] seed = new byte[SEED_BYTES];
        random.nextBytes(seed);
        return new SigningKey(seed);
    }

    /** The key of a 32-byte seed; copies it, so the caller may (and should) zero its own array. */
    public static SigningKey fromSeed(byte[] seed) {
        if (seed == null || seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("an Ed25519 seed is " + SEED_BYTES + " bytes, not "
                    + (seed == null ? "null" : seed.length + " bytes"));
        }
        return new SigningKey(seed.clone());
    }

    /** A copy of the seed, for the key file; the caller zeroes it when done. */
    public byte[] seed() {
        requireLive();
        return seed.clone();
    }

    public VerifyingKey publicKey() {
        return publicKey;
    }

    /** The 64-byte Ed25519 signature of {@code ASCII(context) ‖ 0x00 ‖ message}. */
    public byte[] sign(String context, byte[] message) {
        requireLive();
        byte[] signed = Contexts.signedBytes(context, message);
        byte[] signature = new byte[VerifyingKey.SIGNATURE_BYTES];
        Ed25519.sign(seed, 0, publicKey.bytes(), 0, signed, 0, signed.length, signature, 0);
        return signature;
    }

    /** Zeroes the seed; signing afterwards throws. */
    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(seed, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    private void requireLive() {
        if (destroyed) {
            throw new IllegalStateException("signing key " + publicKey.fingerprint() + " was destroyed");
        }
    }

    @Override
    public String toString() {
        return "SigningKey{public " + publicKey.fingerprint() + (destroyed ? ", destroyed" : "") + "}";
    }
}
