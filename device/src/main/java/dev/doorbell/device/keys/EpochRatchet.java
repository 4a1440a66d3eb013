package dev.doorbell.device.keys;

import dev.doorbell.device.keys.internal.Hkdf;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one-way epoch ratchet of docs/FORMAT.md §1:
 * {@code K_0 = HKDF(R, info(0))}, {@code K_(e+1) = HKDF(K_e, info(e+1))}, with
 * {@code info(e) = "doorbell/v1/epoch-key" ‖ 0x00 ‖ device_id ‖ 0x00 ‖ u32be(e)} and no salt.
 */
final class EpochRatchet {
  static final String LABEL = "doorbell/v1/epoch-key";
  static final int KEY_BYTES = 32;

  private EpochRatchet() {}

  /** One step: the key of {@code epoch} from {@code previous}, which is R for epoch 0 and K_(epoch-1) otherwise. */
  static byte[] step(byte[] previous, String deviceId, int epoch) {
    return Hkdf.sha256(previous, null, info(deviceId, epoch), KEY_BYTES);
  }

  /** Derives K_(to) from K_(from) (from ≤ to), zeroing every intermediate key. */
  static byte[] forward(byte[] keyOfFrom, String deviceId, int from, int to) {
    byte[] current = keyOfFrom.clone();
    for (int e = from + 1; e <= to; e++) {
      byte[] next = step(current, deviceId, e);
      Arrays.fill(current, (byte) 0);
      current = next;
    }
    return current;
  }

  static byte[] info(String deviceId, int epoch) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(LABEL.getBytes(StandardCharsets.US_ASCII));
    out.write(0);
    out.writeBytes(deviceId.getBytes(StandardCharsets.US_ASCII));
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(epoch).array());
    return out.toByteArray();
  }

  static int requireEpoch(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch " + Integer.toUnsignedString(epoch) + " out of range 0.."
          + Integer.MAX_VALUE);
    }
    return epoch;
  }
}
