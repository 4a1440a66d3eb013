package dev.doorbell.device.keys;

import dev.doorbell.proto.DeviceIds;
import java.util.Arrays;

/**
 * The epoch key K_e of one device: what a doorbell holds to seal clips. It derives forward only ({@link #next()}),
 * never back, so a stolen device cannot open the clips of earlier epochs. {@code toString()} prints no secret.
 */
public final class EpochKey {
  private final String deviceId;
  private final int epoch;
  private final SecretBytes secret;

  private EpochKey(String deviceId, int epoch, SecretBytes secret) {
    this.deviceId = deviceId;
    this.epoch = epoch;
    this.secret = secret;
  }

  /** An epoch key from its parts; the secret is copied, so the caller keeps ownership of {@code secret}. */
  public static EpochKey of(String deviceId, int epoch, SecretBytes secret) {
    DeviceIds.require(deviceId);
    EpochRatchet.requireEpoch(epoch);
    if (secret.size() != EpochRatchet.KEY_BYTES) {
      throw new IllegalArgumentException("epoch key of device " + deviceId + " epoch " + epoch + " is "
          + secret.size() + " bytes, expected " + EpochRatchet.KEY_BYTES);
    }
    return new EpochKey(deviceId, epoch, SecretBytes.copyOf(secret.toByteArray()));
  }

  /** Takes ownership of {@code key} (no copy), for keys this package derives itself. */
  static EpochKey adopt(String deviceId, int epoch, byte[] key) {
    EpochKey result = new EpochKey(deviceId, epoch, SecretBytes.copyOf(key));
    Arrays.fill(key, (byte) 0);
    return result;
  }

  public String deviceId() {
    return deviceId;
  }

  public int epoch() {
    return epoch;
  }

  /** The key itself; {@link #destroy()} zeroes it. */
  public SecretBytes secret() {
    return secret;
  }

  /** K_(e+1). This key stays usable; the caller erases it (see {@link EpochKeyFile#advance}). */
  public EpochKey next() {
    if (epoch == Integer.MAX_VALUE) {
      throw new IllegalStateException("device " + deviceId + " is at the last epoch " + epoch);
    }
    byte[] current = secret.toByteArray();
    try {
      return adopt(deviceId, epoch + 1, EpochRatchet.step(current, deviceId, epoch + 1));
    } finally {
      Arrays.fill(current, (byte) 0);
    }
  }

  /** Derives K_(target) for target ≥ this epoch; a target before this epoch is impossible by design. */
  public EpochKey forwardTo(int target) {
    EpochRatchet.requireEpoch(target);
    if (target < epoch) {
      throw new IllegalArgumentException("cannot derive epoch " + target + " of device " + deviceId
          + " from epoch " + epoch + ": epoch keys derive forward only");
    }
    byte[] current = secret.toByteArray();
    try {
      return adopt(deviceId, target, EpochRatchet.forward(current, deviceId, epoch, target));
    } finally {
      Arrays.fill(current, (byte) 0);
    }
  }

  public void destroy() {
    secret.destroy();
  }

  public boolean isDestroyed() {
    return secret.isDestroyed();
  }

  @Override
  public String toString() {
    return "EpochKey{device=" + deviceId + ", epoch=" + epoch + (isDestroyed() ? ", destroyed" : "") + "}";
  }
}
