package dev.doorbell.device.camera;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A Poisson process over absolute time that can be asked about any interval in any order. Time is cut into
 * buckets and each bucket draws its arrivals from its own seed, so the arrivals of a minute do not depend on which
 * minutes were asked about before: rendering frame n at time t needs nothing but the seed and t. Restarting the
 * exponential gaps at each bucket edge is still a Poisson process, because the process has no memory.
 */
final class PoissonTimeline {
    /** One arrival: its time and a seed for whatever attributes the caller draws for it. */
    record Arrival(long atMicros, long seed) {}

    private static final long BUCKET_MICROS = 60_000_000L;

    private final long seed;
    private final double ratePerMicro;

    PoissonTimeline(long seed, double ratePerSecond) {
        if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("arrival rate must be finite and >= 0, got " + ratePerSecond);
        }
        this.seed = seed;
        this.ratePerMicro = ratePerSecond / 1e6;
    }

    /** Arrivals with {@code fromMicros <= atMicros < toMicros}, in time order. */
    List<Arrival> between(long fromMicros, long toMicros) {
        List<Arrival> out = new ArrayList<>();
        if (ratePerMicro == 0 || toMicros <= fromMicros) {
            return out;
        }
        long first = Math.floorDiv(fromMicros, BUCKET_MICROS);
        long last = Math.floorDiv(toMicros - 1, BUCKET_MICROS);
        for (long b = first; b <= last; b++) {
            SplittableRandom random = new SplittableRandom(Seeds.mix(seed, b));
            long bucketStart = b * BUCKET_MICROS;
            double t = bucketStart;
            while (true) {
                t += -Math.log(1.0 - random.nextDouble()) / ratePerMicro;
                long arrival = (long) t;
                if (t >= bucketStart + BUCKET_MICROS) {
                    break;
                }
                long arrivalSeed = random.nextLong();
                if (arrival >= fromMicros && arrival < toMicros) {
                    out.add(new Arrival(arrival, arrivalSeed));
                }
            }
        }
        return out;
    }
}
