package dev.doorbell.device.keys.internal;

import org.bouncycastle.crypto.DataLengthException;
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
    if (ikm == null || info == null) {
      throw new IllegalArgumentException("HKDF input key material and info must not be null");
    }
    if (length < 0 || length > MAX_OUTPUT_BYTES) {
      throw new IllegalArgumentException(
          "HKDF-SHA256 output of " + length + " bytes requested; allowed: 0.." + MAX_OUTPUT_BYTES);
    }
    byte[] saltOrNull = salt == null || salt.length == 0 ? null : salt;
    HKDFBytesGenerator generator = new HKDFBytesGenerator(SHA256Digest.newInstance());
    generator.init(new HKDFParameters(ikm, saltOrNull, info));
    byte[] out = new byte[length];
    try {
      generator.generateBytes(out, 0, length);
    } catch (DataLengthException e) {
      throw new IllegalArgumentException("HKDF-SHA256 refused an output of " + length + " bytes", e);
    }
    return out;
  }
}
