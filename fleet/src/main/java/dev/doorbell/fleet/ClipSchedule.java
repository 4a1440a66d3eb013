package dev.doorbell.fleet;

import java.util.SplittableRandom;

/**
 * One device's seeded schedule: clip lengths between {@code minClipNanos} and {@code maxClipNanos} with frames at
 * the profile's rate, and for Poisson traffic the gaps between clips, exponential at {@code clipsPerHour} (a Poisson
 * process). The stream depends only on the run seed and the device's index in the whole fleet, so a shard or a
 * worker process draws exactly what a single run would for the same device.
 */
final class ClipSchedule {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final SplittableRandom random;
    private final double meanGapNanos;
    private final long minClipNanos;
    private final long maxClipNanos;
    private final long frameIntervalNanos;

    /** {@code clipsPerHour} 0: clips follow each other without a gap (constant rate, saturation). */
    ClipSchedule(long seed, int deviceIndex, double clipsPerHour, int fps, long minClipNanos, long maxClipNanos) {
        if (clipsPerHour < 0 || fps < 1 || minClipNanos < 1 || maxClipNanos < minClipNanos) {
            throw new IllegalArgumentException("need clipsPerHour >= 0, fps >= 1 and 0 < min <= max clip length, got "
                    + clipsPerHour + ", " + fps + ", " + minClipNanos + ".." + maxClipNanos);
        }
        this.random = new SplittableRandom(mix(seed + GOLDEN * (deviceIndex + 1L)));
        this.meanGapNanos = clipsPerHour == 0 ? 0 : 3600e9 / clipsPerHour;
        this.minClipNanos = minClipNanos;
        this.maxClipNanos = maxClipNanos;
        this.frameIntervalNanos = 1_000_000_000L / fps;
    }

    /** The gap from the end of the last clip (or the start) to the next clip's first frame. */
    long nextGapNanos() {
        if (meanGapNanos == 0) {
            return 0;
        }
        double u = random.nextDouble();
        return (long) (-Math.log(1 - u) * meanGapNanos);
    }

    /** The number of frames of the next clip, at least one. */
    int nextClipFrames() {
        long length = minClipNanos + (long) (random.nextDouble() * (maxClipNanos - minClipNanos));
        return (int) Math.max(1, length / frameIntervalNanos);
    }

    /** The profile's time between frames: the frames' presentation times within a clip. */
    long frameIntervalNanos() {
        return frameIntervalNanos;
    }

    /** Stafford's mix13, so that neighbouring device indexes get unrelated streams. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
