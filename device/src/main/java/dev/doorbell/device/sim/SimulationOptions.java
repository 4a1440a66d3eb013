package dev.doorbell.device.sim;

import dev.doorbell.device.camera.Profile;
import dev.doorbell.seal.v2.Padding;
import java.time.Duration;
import java.util.Map;

/**
 * How a simulation runs: where the uplink is, the scene seed and profile, how long, and the knobs of each camera.
 * {@code ringAt} sends a visitor who presses the doorbell at an offset from the start, per device id. {@code padTo} pads every sealed
 * frame to a multiple of that many bytes (0 for none; docs/FORMAT.md §17).
 */
public record SimulationOptions(
        String host,
        int port,
        boolean insecurePlaintext,
        long seed,
        Profile profile,
        Duration duration,
        Map<String, Duration> ringAt,
        double ringRatePerHour,
        double crossingRatePerMinute,
        Duration preRoll,
        Duration postRoll,
        Duration maxClip,
        Duration connectTimeout,
        Duration drainTimeout,
        Duration progressEvery,
        int padTo) {

    public SimulationOptions {
        ringAt = Map.copyOf(ringAt);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("uplink port must be 1..65535, got " + port);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, got " + duration);
        }
        Padding.check(padTo);
    }

    /** The camera seed of one device: the run's seed mixed with the device id, stable across JVMs. */
    long seedFor(String deviceId) {
        long h = seed;
        for (int i = 0; i < deviceId.length(); i++) {
            h = h * 1_000_003L + deviceId.charAt(i);
        }
        return h ^ (h >>> 29);
    }
}
