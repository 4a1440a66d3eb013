package dev.doorbell.device.camera;

import java.util.SplittableRandom;

/**
 * A little luminance noise, as a real sensor has, so that JPEG sizes and frame differences look like a camera's
 * rather than a cartoon's. One table of noise per camera is drawn once from the seed; each frame reads it at an
 * offset derived from its time, which is cheap (no random numbers per pixel) and still deterministic.
 */
final class SensorNoise {
    private static final int OFFSETS = 8192;
    private static final int AMPLITUDE = 3;

    private final long seed;
    private final byte[] table;

    SensorNoise(long seed, int pixels) {
        this.seed = seed;
        this.table = new byte[pixels + OFFSETS];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < table.length; i++) {
            table[i] = (byte) (r.nextInt(2 * AMPLITUDE + 1) - AMPLITUDE);
        }
    }

    /** Adds the noise of the frame at {@code timeMicros} to packed RGB pixels. */
    void apply(int[] rgb, long timeMicros) {
        int offset = (int) (Seeds.mix(seed, timeMicros) & (OFFSETS - 1));
        int n = Math.min(rgb.length, table.length - offset);
        for (int i = 0; i < n; i++) {
            int d = table[offset + i];
            if (d == 0) {
                continue;
            }
            int p = rgb[i];
            int r = clamp(((p >> 16) & 0xFF) + d);
            int g = clamp(((p >> 8) & 0xFF) + d);
            int b = clamp((p & 0xFF) + d);
            rgb[i] = (r << 16) | (g << 8) | b;
        }
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
