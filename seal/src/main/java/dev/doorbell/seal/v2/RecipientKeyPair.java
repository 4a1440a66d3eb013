package dev.doorbell.seal.v2;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.security.auth.Destroyable;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * A recipient's X25519 key pair (kem 0x0020): a viewer's, or the owner's own viewer key. The private key lives in one
 * array that {@link #destroy()} zeroes; BouncyCastle's key objects are made only for the moment of an unwrap.
 * {@code toString} prints the name and key id only.
 */
public final class RecipientKeyPair implements Destroyable {
    public static final int PRIVATE_KEY_BYTES = 32;

    private final byte[] privateKey;
    private final RecipientPublicKey publicKey;
    private volatile boolean destroyed;

    private RecipientKeyPair(byte[] privateKey, RecipientPublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** RFC 9180 GenerateKeyPair: 32 bytes from {@code random}, clamped as RFC 7748 says. */
    public static RecipientKeyPair generate(String name, SecureRandom random) {
        byte[] sk = new byte[PRIVATE_KEY_BYTES];
        X25519.generatePrivateKey(random, sk);
        return adopt(name, sk);
    }

    /**
     * RFC 9180 §7.1.3 DeriveKeyPair(ikm) of DHKEM(X25519, HKDF-SHA256): the private key is exactly the RFC's {@code
     * sk} (not clamped; X25519 clamps when it multiplies).
     */
    public static RecipientKeyPair derive(String name, byte[] ikm) {
        if (ikm == null || ikm.length < PRIVATE_KEY_BYTES) {
            throw new IllegalArgumentException("DeriveKeyPair needs at least " + PRIVATE_KEY_BYTES + " bytes of ikm");
        }
        AsymmetricCipherKeyPair pair = Hpke.suite().deriveKeyPair(ikm);
        byte[] sk = ((X25519PrivateKeyParameters) pair.getPrivate()).getEncoded();
        return adopt(name, sk);
    }

    /** The pair of a 32-byte private key (a viewer.key file's); copies it, so the caller may zero its own array. */
    public static RecipientKeyPair fromPrivate(String name, byte[] privateKey) {
        if (privateKey == null || privateKey.length != PRIVATE_KEY_BYTES) {
            throw new IllegalArgumentException("an X25519 private key is " + PRIVATE_KEY_BYTES + " bytes, not "
                    + (privateKey == null ? "null" : privateKey.length + " bytes"));
        }
        return adopt(name, privateKey.clone());
    }

    private static RecipientKeyPair adopt(String name, byte[] sk) {
        byte[] pk = new byte[RecipientPublicKey.X25519_PUBLIC_KEY_BYTES];
        X25519.generatePublicKey(sk, 0, pk, 0);
        try {
            return new RecipientKeyPair(sk, RecipientPublicKey.x25519(name, pk));
        } catch (IllegalArgumentException e) {
            Arrays.fill(sk, (byte) 0);
            throw e;
        }
    }

    public String name() {
        return publicKey.name();
    }

    /** A copy of the private key, for the key file; the caller zeroes it when done. */
    public byte[] privateKey() {
        requireLive();
        return privateKey.clone();
    }

    public RecipientPublicKey publicKey() {
        return publicKey;
    }

    /** The key id of the public key, {@link RecipientPublicKey#keyId()}. */
    public byte[] keyId() {
        return publicKey.keyId();
    }

    /** HPKE base-mode Open of a wrapped key addressed to this pair; see {@link Hpke#open}. */
    byte[] open(byte[] enc, byte[] ciphertext, byte[] info, byte[] aad) throws Hpke.OpenFailed {
        requireLive();
        return Hpke.open(privateKey, publicKey.publicKey(), enc, ciphertext, info, aad);
    }

    /** Zeroes the private key; unwrapping afterwards throws. */
    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(privateKey, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    private void requireLive() {
        if (destroyed) {
            throw new IllegalStateException("key pair of recipient " + name() + " was destroyed");
        }
    }

    @Override
    public String toString() {
        return "RecipientKeyPair{" + publicKey + (destroyed ? ", destroyed" : "") + "}";
    }
}
