package dev.doorbell.device.camera;

/**
 * Derives independent seeds from one run seed, so that every random stream in the simulation (people, cars,
 * clouds, rings, sensor noise) is reproducible on its own and adding one stream does not shift the others.
 */
final class Seeds {
    private Seeds() {}

    /** SplitMix64's finaliser over the pair: neighbouring inputs give unrelated outputs. */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
