package dev.doorbell.seal.keys;

import dev.doorbell.seal.keys.internal.Hkdf;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The one-way epoch ratchet of docs/FORMAT.md §1:
 * {@code K_0 = HKDF(R, info(0))}, {@code K_(e+1) = HKDF(K_e, info(e+1))}, with
 * {@code info(e) = "doorbell/v1/epoch-key" ‖ 0x00 ‖ device_id ‖ 0x00 ‖ u32be(e)} and no salt.
 */
final class EpochRatchet {
    static final String LABEL = "doorbell/v1/epoch-key";
    static final int KEY_BYTES = 32;

    private EpochRatchet() {}

    /**
     * One step in place: {@code key} holds the key before {@code epoch} (R for epoch 0, K_(epoch-1) otherwise) and is
     * overwritten with K_(epoch), so no copy of the older key is left behind.
     */
    static void step(byte[] key, String deviceId, int epoch) {
        Hkdf.sha256Into(key, null, info(deviceId, epoch), key);
    }

    /** Turns K_(from) in {@code key} into K_(to) (from ≤ to) in place, one step at a time. */
    static void forward(byte[] key, String deviceId, int from, int to) {
        for (int e = from + 1; e <= to; e++) {
            step(key, deviceId, e);
        }
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
            throw new IllegalArgumentException(
                    "epoch " + Integer.toUnsignedString(epoch) + " out of range 0.." + Integer.MAX_VALUE);
        }
        return epoch;
    }
}
