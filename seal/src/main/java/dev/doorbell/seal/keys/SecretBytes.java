package dev.doorbell.seal.keys;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Secret key material, kept apart from ordinary byte arrays so that it is never printed, compared in variable time
 * or shared by accident. Modelled on Tink's {@code SecretBytes}: the holder gets copies only, and {@link #destroy()}
 * zeroes the one place the bytes live.
 */
public final class SecretBytes {
    private final byte[] bytes;
    private volatile boolean destroyed;

    private SecretBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A secret holding a copy of {@code value}; the caller should zero its own array when done with it. */
    public static SecretBytes copyOf(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("secret bytes must not be null");
        }
        return new SecretBytes(value.clone());
    }

    /** Takes ownership of {@code value} (no copy): {@link #destroy()} zeroes that very array. */
    static SecretBytes adopt(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("secret bytes must not be null");
        }
        return new SecretBytes(value);
    }

    /** An independent secret with the same bytes, made without a plaintext copy in between. */
    public SecretBytes copy() {
        requireLive();
        return new SecretBytes(bytes.clone());
    }

    public int size() {
        return bytes.length;
    }

    /** A fresh copy of the secret; the caller owns it and should zero it when done. */
    public byte[] toByteArray() {
        requireLive();
        return bytes.clone();
    }

    /**
     * Lends {@code use} a copy of the secret and zeroes that copy when {@code use} returns or throws, so that no
     * caller has to remember to. {@code use} must not keep the array.
     */
    public <T> T withCopy(Function<byte[], T> use) {
        byte[] copy = toByteArray();
        try {
            return use.apply(copy);
        } finally {
            Arrays.fill(copy, (byte) 0);
        }
    }

    /** Compares in time that depends only on the lengths, never on where the contents differ. */
    public boolean equalsConstantTime(SecretBytes other) {
        if (other == null) {
            return false;
        }
        requireLive();
        other.requireLive();
        return MessageDigest.isEqual(bytes, other.bytes);
    }

    /** Zeroes the secret; any later use throws {@link IllegalStateException}. */
    public void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    private void requireLive() {
        if (destroyed) {
            throw new IllegalStateException("secret of " + bytes.length + " bytes was destroyed");
        }
    }

    @Override
    public String toString() {
        return "SecretBytes{" + bytes.length + " bytes" + (destroyed ? ", destroyed" : "") + "}";
    }
}
