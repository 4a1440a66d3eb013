package dev.doorbell.seal.keys;

import dev.doorbell.proto.DeviceIds;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The owner's root key R of one device (32 bytes). Every epoch key derives forward from it; checkpoints every
 * {@value #CHECKPOINT_INTERVAL} epochs are kept in memory so that a clip of epoch 10,000 does not cost 10,000
 * derivations each time. Thread-safe.
 */
public final class RootKey {
    static final int CHECKPOINT_INTERVAL = 256;

    private final String deviceId;
    private final SecretBytes secret;
    private final TreeMap<Integer, SecretBytes> checkpoints = new TreeMap<>();

    private RootKey(String deviceId, SecretBytes secret) {
        this.deviceId = deviceId;
        this.secret = secret;
    }

    public static RootKey generate(String deviceId, SecureRandom rnd) {
        byte[] key = new byte[EpochRatchet.KEY_BYTES];
        rnd.nextBytes(key);
        return adopt(deviceId, key);
    }

    /** A root key from its parts; the secret is copied. */
    public static RootKey of(String deviceId, SecretBytes secret) {
        requireParts(deviceId, secret.size());
        return new RootKey(deviceId, secret.copy());
    }

    /** Takes ownership of {@code key} (no copy): {@link #destroy()} zeroes it. */
    static RootKey adopt(String deviceId, byte[] key) {
        requireParts(deviceId, key.length);
        return new RootKey(deviceId, SecretBytes.adopt(key));
    }

    private static void requireParts(String deviceId, int size) {
        DeviceIds.require(deviceId);
        if (size != EpochRatchet.KEY_BYTES) {
            throw new IllegalArgumentException(
                    "root key of device " + deviceId + " is " + size + " bytes, expected " + EpochRatchet.KEY_BYTES);
        }
    }

    public String deviceId() {
        return deviceId;
    }

    public SecretBytes secret() {
        return secret;
    }

    /** A new copy of K_(epoch), owned by the caller (who may destroy it without affecting this root key). */
    public synchronized EpochKey epochKey(int epoch) {
        EpochRatchet.requireEpoch(epoch);
        Map.Entry<Integer, SecretBytes> floor = checkpoints.floorEntry(epoch);
        int at;
        byte[] current;
        if (floor == null) {
            current = secret.toByteArray();
            EpochRatchet.step(current, deviceId, 0);
            at = 0;
            checkpoints.put(0, SecretBytes.copyOf(current));
        } else {
            at = floor.getKey();
            current = floor.getValue().toByteArray();
        }
        while (at < epoch) {
            EpochRatchet.step(current, deviceId, at + 1);
            at++;
            if (at % CHECKPOINT_INTERVAL == 0) {
                checkpoints.putIfAbsent(at, SecretBytes.copyOf(current));
            }
        }
        return EpochKey.adopt(deviceId, epoch, current);
    }

    /** The cached checkpoints by epoch, read-only: for tests of the cache and of {@link #destroy()}. */
    synchronized SortedMap<Integer, SecretBytes> checkpoints() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(checkpoints));
    }

    /** Zeroes the root key and every cached checkpoint. */
    public synchronized void destroy() {
        secret.destroy();
        checkpoints.values().forEach(SecretBytes::destroy);
        checkpoints.clear();
    }

    @Override
    public String toString() {
        return "RootKey{device=" + deviceId + (secret.isDestroyed() ? ", destroyed" : "") + "}";
    }
}
