package dev.doorbell.seal.v2;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.security.auth.Destroyable;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * A recipient's key pair: X25519 (kem 0x0020; a viewer's, or the owner's own viewer key) or X-Wing (kem 0x647a; a
 * viewer made with {@code --pq}), whose private key is the 32-byte seed. The private key lives in one array that
 * {@link #destroy()} zeroes; BouncyCastle's key objects (for X-Wing the expanded decapsulation key) are made only for
 * the moment of an unwrap. {@code toString} prints the name, kem and key id only.
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
        return generate(name, Kem.X25519, random);
    }

    /**
     * A fresh pair of {@code kem}: for X25519 as {@link #generate(String, SecureRandom)}; for X-Wing the draft's
     * GenerateKeyPair, a 32-byte seed from {@code random}.
     */
    public static RecipientKeyPair generate(String name, Kem kem, SecureRandom random) {
        byte[] sk = new byte[kem.privateKeyBytes()];
        if (kem == Kem.X25519) {
            X25519.generatePrivateKey(random, sk);
        } else {
            random.nextBytes(sk);
        }
        return adopt(name, kem, sk);
    }

    /**
     * RFC 9180 §7.1.3 DeriveKeyPair(ikm) of DHKEM(X25519, HKDF-SHA256): the private key is exactly the RFC's {@code
     * sk} (not clamped; X25519 clamps when it multiplies).
     */
    public static RecipientKeyPair derive(String name, byte[] ikm) {
        if (ikm == null || ikm.length < PRIVATE_KEY_BYTES) {
            throw new IllegalArgumentException("DeriveKeyPair needs at least " + PRIVATE_KEY_BYTES + " bytes of ikm");
        }
        AsymmetricCipherKeyPair pair = Hpke.suite(Kem.X25519).deriveKeyPair(ikm);
        byte[] sk = ((X25519PrivateKeyParameters) pair.getPrivate()).getEncoded();
        return adopt(name, Kem.X25519, sk);
    }

    /** The X25519 pair of a 32-byte private key; see {@link #fromPrivate(String, Kem, byte[])}. */
    public static RecipientKeyPair fromPrivate(String name, byte[] privateKey) {
        return fromPrivate(name, Kem.X25519, privateKey);
    }

    /**
     * The pair of a private key of {@code kem} (a viewer.key file's: the X25519 key, or the X-Wing seed); copies it,
     * so the caller may zero its own array.
     */
    public static RecipientKeyPair fromPrivate(String name, Kem kem, byte[] privateKey) {
        if (privateKey == null || privateKey.length != kem.privateKeyBytes()) {
            throw new IllegalArgumentException("a private key of kem " + kem.label() + " is " + kem.privateKeyBytes()
                    + " bytes, not " + (privateKey == null ? "null" : privateKey.length + " bytes"));
        }
        return adopt(name, kem, privateKey.clone());
    }

    private static RecipientKeyPair adopt(String name, Kem kem, byte[] sk) {
        try {
            return new RecipientKeyPair(sk, RecipientPublicKey.of(name, kem, Hpke.publicKeyOf(kem, sk)));
        } catch (IllegalArgumentException e) {
            Arrays.fill(sk, (byte) 0);
            throw e;
        }
    }

    public String name() {
        return publicKey.name();
    }

    public Kem kem() {
        return publicKey.kemType();
    }

    /** A copy of the private key (for X-Wing the seed), for the key file; the caller zeroes it when done. */
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
        return Hpke.open(publicKey.kemType(), privateKey, publicKey.publicKey(), enc, ciphertext, info, aad);
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
