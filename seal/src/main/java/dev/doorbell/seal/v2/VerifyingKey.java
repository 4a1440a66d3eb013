package dev.doorbell.seal.v2;

import dev.doorbell.seal.internal.ClipFormat;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 public key (RFC 8032, 32 bytes): the owner's signing key, or a device's. Compared by content; its
 * {@code toString} names it by {@link #fingerprint()}.
 */
public record VerifyingKey(byte[] bytes) {
    public static final int BYTES = 32;
    public static final int SIGNATURE_BYTES = 64;

    public VerifyingKey {
        if (bytes == null || bytes.length != BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key is " + BYTES + " bytes, not "
                    + (bytes == null ? "null" : bytes.length + " bytes"));
        }
        bytes = bytes.clone();
    }

    /** A copy of the 32 bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * Whether {@code signature} is this key's Ed25519 signature of {@code ASCII(context) ‖ 0x00 ‖ message}. False for
     * a signature of the wrong size and for a public key that is not a point on the curve.
     */
    public boolean verify(String context, byte[] message, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        try {
            verifier.init(false, new Ed25519PublicKeyParameters(bytes));
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] signed = Contexts.signedBytes(context, message);
        verifier.update(signed, 0, signed.length);
        return verifier.verifySignature(signature);
    }

    /** The first 8 bytes of SHA-256 of the key, in hex: how tools and messages name a public key. */
    public String fingerprint() {
        return HexFormat.of().formatHex(ClipFormat.sha256(bytes), 0, 8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerifyingKey other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "VerifyingKey{" + fingerprint() + "}";
    }
}
