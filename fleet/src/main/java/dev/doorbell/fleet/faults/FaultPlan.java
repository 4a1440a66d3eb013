package dev.doorbell.fleet.faults;

import java.time.Duration;

/**
 * What a {@link FaultProxy} does to each connection, as per-connection probabilities and bounds. Every accepted
 * connection draws its own faults from the proxy's seeded random, independently per kind, so a seed replays the
 * same plan for the same order of connections.
 *
 * @param resetRate chance that the connection is reset (RST, SO_LINGER 0) after a random number of bytes in
 *     [1, resetAfterBytesMax] or a random time within {@code faultWithin}, whichever comes first
 * @param stallRate chance that one direction, drawn at random, stops being forwarded for up to {@code stallMax}
 * @param halfOpenRate chance that both directions stop while both sockets stay open, for {@code halfOpenHold};
 *     then the proxy resets both sides, as a middlebox that forgot the flow would
 * @param oneByteRate chance that the first {@code oneByteBudget} bytes of each direction are written one byte per
 *     write, each flushed
 * @param delayRate chance that the uplink-to-device direction (Welcome, acks, errors) is delayed by a constant drawn
 *     in [0, delayMax]
 * @param faultWithin timed faults (reset by time, stall, half-open) start at a uniform time in [0, faultWithin]
 * @param maxConnections connections open at once; more are closed on accept
 */
public record FaultPlan(
        double resetRate,
        long resetAfterBytesMax,
        double stallRate,
        Duration stallMax,
        double halfOpenRate,
        Duration halfOpenHold,
        double oneByteRate,
        int oneByteBudget,
        double delayRate,
        Duration delayMax,
        Duration faultWithin,
        int maxConnections) {

    /** Largest delay or hold accepted: longer ones hold buffers and sockets for no extra insight. */
    public static final Duration LONGEST = Duration.ofMinutes(5);

    public FaultPlan {
        rate(resetRate, "resetRate");
        rate(stallRate, "stallRate");
        rate(halfOpenRate, "halfOpenRate");
        rate(oneByteRate, "oneByteRate");
        rate(delayRate, "delayRate");
        if (resetAfterBytesMax < 1) {
            throw new IllegalArgumentException("resetAfterBytesMax must be at least 1, got " + resetAfterBytesMax);
        }
        if (oneByteBudget < 0 || oneByteBudget > 1 << 20) {
            throw new IllegalArgumentException("oneByteBudget must be 0..1048576, got " + oneByteBudget);
        }
        bounded(stallMax, "stallMax");
        bounded(halfOpenHold, "halfOpenHold");
        bounded(delayMax, "delayMax");
        bounded(faultWithin, "faultWithin");
        if (faultWithin.isZero()) {
            throw new IllegalArgumentException("faultWithin must be positive");
        }
        if (maxConnections < 1 || maxConnections > 10_000) {
            throw new IllegalArgumentException("maxConnections must be 1..10000, got " + maxConnections);
        }
    }

    /** No faults at all: a plain TCP relay. The bounds are the defaults the {@code with...} methods keep. */
    public static FaultPlan none() {
        return new FaultPlan(
                0,
                256 * 1024,
                0,
                Duration.ofSeconds(2),
                0,
                Duration.ofSeconds(3),
                0,
                2048,
                0,
                Duration.ofMillis(200),
                Duration.ofSeconds(3),
                1000);
    }

    public FaultPlan withResets(double rate, long afterBytesMax) {
        return new FaultPlan(
                rate,
                afterBytesMax,
                stallRate,
                stallMax,
                halfOpenRate,
                halfOpenHold,
                oneByteRate,
                oneByteBudget,
                delayRate,
                delayMax,
                faultWithin,
                maxConnections);
    }

    public FaultPlan withStalls(double rate, Duration max) {
        return new FaultPlan(
                resetRate,
                resetAfterBytesMax,
                rate,
                max,
                halfOpenRate,
                halfOpenHold,
                oneByteRate,
                oneByteBudget,
                delayRate,
                delayMax,
                faultWithin,
                maxConnections);
    }

    public FaultPlan withHalfOpen(double rate, Duration hold) {
        return new FaultPlan(
                resetRate,
                resetAfterBytesMax,
                stallRate,
                stallMax,
                rate,
                hold,
                oneByteRate,
                oneByteBudget,
                delayRate,
                delayMax,
                faultWithin,
                maxConnections);
    }

    public FaultPlan withOneByteWrites(double rate, int budget) {
        return new FaultPlan(
                resetRate,
                resetAfterBytesMax,
                stallRate,
                stallMax,
                halfOpenRate,
                halfOpenHold,
                rate,
                budget,
                delayRate,
                delayMax,
                faultWithin,
                maxConnections);
    }

    public FaultPlan withDelays(double rate, Duration max) {
        return new FaultPlan(
                resetRate,
                resetAfterBytesMax,
                stallRate,
                stallMax,
                halfOpenRate,
                halfOpenHold,
                oneByteRate,
                oneByteBudget,
                rate,
                max,
                faultWithin,
                maxConnections);
    }

    public FaultPlan withFaultWithin(Duration within) {
        return new FaultPlan(
                resetRate,
                resetAfterBytesMax,
                stallRate,
                stallMax,
                halfOpenRate,
                halfOpenHold,
                oneByteRate,
                oneByteBudget,
                delayRate,
                delayMax,
                within,
                maxConnections);
    }

    public FaultPlan withMaxConnections(int max) {
        return new FaultPlan(
                resetRate,
                resetAfterBytesMax,
                stallRate,
                stallMax,
                halfOpenRate,
                halfOpenHold,
                oneByteRate,
                oneByteBudget,
                delayRate,
                delayMax,
                faultWithin,
                max);
    }

    private static void rate(double p, String name) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be a probability in [0, 1], got " + p);
        }
    }

    private static void bounded(Duration d, String name) {
        if (d == null || d.isNegative() || d.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException(
                    name + " must be from 0s to " + human(LONGEST) + ", got " + (d == null ? "none" : human(d)));
        }
    }

    /** As the fault-proxy options take durations: 5m, 30s, 500ms. */
    private static String human(Duration d) {
        if (d.toMillis() % 60_000 == 0 && !d.isZero()) {
            return d.toMinutes() + "m";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
