package dev.doorbell.fleet;

import java.util.SplittableRandom;

/**
 * Pre-generated random plaintexts of 16–64 KiB (or any range), made once so that a load run spends its CPU on
 * sealing and networking, not on making content. Random bytes do not compress, like encoded video. Thread-safe
 * after construction: callers must not modify what {@link #payload} returns.
 */
public final class PayloadPool implements Payloads {
    private final byte[][] payloads;
    private final int minBytes;
    private final int maxBytes;

    public PayloadPool(int count, int minBytes, int maxBytes, long seed) {
        if (count < 1 || minBytes < 1 || maxBytes < minBytes) {
            throw new IllegalArgumentException(
                    "need count >= 1 and 1 <= min <= max, got " + count + ", " + minBytes + ".." + maxBytes);
        }
        SplittableRandom random = new SplittableRandom(seed);
        this.payloads = new byte[count][];
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[minBytes + random.nextInt(maxBytes - minBytes + 1)];
            for (int j = 0; j < bytes.length; j += 8) {
                long word = random.nextLong();
                for (int k = 0; k < 8 && j + k < bytes.length; k++) {
                    bytes[j + k] = (byte) (word >>> (8 * k));
                }
            }
            payloads[i] = bytes;
        }
        this.minBytes = minBytes;
        this.maxBytes = maxBytes;
    }

    /** The payload for draw number {@code n}; any long maps to one of the pool's entries. */
    @Override
    public byte[] payload(long n) {
        return payloads[(int) Math.floorMod(n, (long) payloads.length)];
    }

    @Override
    public int largestBytes() {
        int largest = 0;
        for (byte[] p : payloads) {
            largest = Math.max(largest, p.length);
        }
        return largest;
    }

    public int size() {
        return payloads.length;
    }

    public long meanBytes() {
        long sum = 0;
        for (byte[] p : payloads) {
            sum += p.length;
        }
        return sum / payloads.length;
    }

    @Override
    public String toString() {
        return "PayloadPool{" + payloads.length + " payloads of " + minBytes + ".." + maxBytes + " bytes}";
    }
}
