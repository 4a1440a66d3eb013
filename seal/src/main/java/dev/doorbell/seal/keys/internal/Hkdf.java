package dev.doorbell.seal.keys.internal;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * HKDF-SHA256 (RFC 5869, extract then expand) through BouncyCastle's lightweight API: the JDK 17 has no HKDF.
 * Every key of docs/FORMAT.md is derived here.
 */
public final class Hkdf {
    /** RFC 5869 limits the output to 255 hash blocks. */
    public static final int MAX_OUTPUT_BYTES = 255 * 32;

    private Hkdf() {}

    /**
     * HKDF-SHA256 of {@code ikm} with {@code salt} (null or empty: the RFC's default of 32 zero bytes) and
     * {@code info}, {@code length} bytes long.
     *
     * @throws IllegalArgumentException if {@code length} is not in 0..8160
     */
    public static byte[] sha256(byte[] ikm, byte[] salt, byte[] info, int length) {
        requireLength(length);
        byte[] out = new byte[length];
        sha256Into(ikm, salt, info, out);
        return out;
    }

    /**
     * HKDF-SHA256 as above, its output written straight into {@code outputs} one after the other (the first
     * {@code outputs[0].length} bytes of output into {@code outputs[0]}, and so on), so that a secret part of the
     * output needs no intermediate array. {@code ikm} is read in full before anything is written, so an output may be
     * {@code ikm} itself: a ratchet step that replaces a key by the next one.
     */
    public static void sha256Into(byte[] ikm, byte[] salt, byte[] info, byte[]... outputs) {
        if (ikm == null || info == null) {
            throw new IllegalArgumentException("HKDF input key material and info must not be null");
        }
        int length = 0;
        for (byte[] out : outputs) {
            length += out.length;
        }
        requireLength(length);
        byte[] saltOrNull = salt == null || salt.length == 0 ? null : salt;
        HKDFBytesGenerator generator = new HKDFBytesGenerator(SHA256Digest.newInstance());
        // HKDFParameters copies ikm, and init() finishes the extract step: from here on ikm is not read again.
        generator.init(new HKDFParameters(ikm, saltOrNull, info));
        for (byte[] out : outputs) {
            generator.generateBytes(out, 0, out.length);
        }
    }

    private static void requireLength(int length) {
        if (length < 0 || length > MAX_OUTPUT_BYTES) {
            throw new IllegalArgumentException(
                    "HKDF-SHA256 output of " + length + " bytes requested; allowed: 0.." + MAX_OUTPUT_BYTES);
        }
    }
}
