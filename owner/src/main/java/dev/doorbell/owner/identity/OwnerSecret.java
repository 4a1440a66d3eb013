package dev.doorbell.owner.identity;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.security.auth.Destroyable;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The owner's one secret {@code S} (docs/FORMAT.md "Format v2", the owner): 32 bytes from a CSPRNG, written down
 * only as the 24-word recovery phrase. The owner's signing key and own viewer keys (X25519 and X-Wing) are derived from it with HKDF, so
 * the phrase rebuilds both. {@link #destroy()} zeroes it; {@link #toString()} prints no secret.
 */
public final class OwnerSecret implements Destroyable {
    public static final int BYTES = 32;
    static final String SIGNING_KEY_INFO = "doorbell/v2/owner-signing-key";
    static final String VIEWER_KEY_INFO = "doorbell/v2/owner-viewer-key";
    static final String XWING_VIEWER_KEY_INFO = "doorbell/v3/owner-viewer-key-xwing";

    private final byte[] secret;
    private boolean destroyed;

    private OwnerSecret(byte[] secret) {
        this.secret = secret;
    }

    public static OwnerSecret generate(SecureRandom random) {
        byte[] s = new byte[BYTES];
        random.nextBytes(s);
        return new OwnerSecret(s);
    }

    /** Reads a 24-word phrase; the errors name a wrong word count, the first unknown word or a checksum mismatch. */
    public static OwnerSecret fromPhrase(String phrase) throws RecoveryPhraseException {
        return new OwnerSecret(RecoveryPhrase.decode(phrase, RecoveryPhrase.OWNER_SECRET_WORDS));
    }

    /** Copies {@code secret} (32 bytes); the caller may wipe its array. */
    public static OwnerSecret fromBytes(byte[] secret) {
        if (secret.length != BYTES) {
            throw new IllegalArgumentException("an owner secret is " + BYTES + " bytes, not " + secret.length);
        }
        return new OwnerSecret(secret.clone());
    }

    /** The recovery phrase: 24 words. Show it to the owner; never log it. */
    public String phrase() {
        return RecoveryPhrase.encode(live());
    }

    /** A copy of {@code S}, for owner.secret; the caller wipes it. */
    public byte[] bytes() {
        return live().clone();
    }

    /** The 32-byte Ed25519 seed of the owner's signing key; the caller wipes it. */
    public byte[] signingKeySeed() {
        return hkdf(SIGNING_KEY_INFO);
    }

    /** The input of RFC 9180 DeriveKeyPair for the owner's own viewer key; the caller wipes it. */
    public byte[] viewerKeyMaterial() {
        return hkdf(VIEWER_KEY_INFO);
    }

    /**
     * The owner's own X-Wing viewer key: its private key, the 32-byte seed of the X-Wing draft (docs/FORMAT.md §11),
     * taken straight from HKDF so that any implementation of HKDF and X-Wing derives the same key; the caller wipes it.
     */
    public byte[] xWingViewerKeySeed() {
        return hkdf(XWING_VIEWER_KEY_INFO);
    }

    private byte[] hkdf(String info) {
        // HKDF-SHA256 with the salt absent (HashLen zero bytes, RFC 5869 §2.2).
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(live(), null, info.getBytes(StandardCharsets.US_ASCII)));
        byte[] out = new byte[32];
        hkdf.generateBytes(out, 0, out.length);
        return out;
    }

    private byte[] live() {
        if (destroyed) {
            throw new IllegalStateException("the owner secret has been destroyed");
        }
        return secret;
    }

    @Override
    public void destroy() {
        Arrays.fill(secret, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return destroyed ? "OwnerSecret[destroyed]" : "OwnerSecret[32 bytes]";
    }
}
