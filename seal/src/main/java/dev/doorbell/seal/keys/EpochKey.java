package dev.doorbell.seal.keys;

import dev.doorbell.proto.DeviceIds;

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
        return new EpochKey(deviceId, epoch, secret.copy());
    }

    /** Takes ownership of {@code key} (no copy), for keys this package derives itself: {@link #destroy()} zeroes it. */
    static EpochKey adopt(String deviceId, int epoch, byte[] key) {
        return new EpochKey(deviceId, epoch, SecretBytes.adopt(key));
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
        byte[] next = secret.toByteArray();
        EpochRatchet.step(next, deviceId, epoch + 1);
        return adopt(deviceId, epoch + 1, next);
    }

    /** Derives K_(target) for target ≥ this epoch; a target before this epoch is impossible by design. */
    public EpochKey forwardTo(int target) {
        EpochRatchet.requireEpoch(target);
        if (target < epoch) {
            throw new IllegalArgumentException("cannot derive epoch " + target + " of device " + deviceId
                    + " from epoch " + epoch + ": epoch keys derive forward only");
        }
        byte[] key = secret.toByteArray();
        EpochRatchet.forward(key, deviceId, epoch, target);
        return adopt(deviceId, target, key);
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
