package dev.doorbell.device.camera;

import java.awt.Color;
import java.util.SplittableRandom;

/**
 * The light level of the porch, 0.25 (dusk) to 1.0 (full sun), as a smooth function of time: a slow drift over
 * tens of minutes and now and then a cloud that dims it for a minute or so. Changes are slow enough that a motion
 * detector must not take them for motion, which is exactly what the scene is meant to test.
 */
final class Daylight {
    private static final double DRIFT_PERIOD_MICROS = 20 * 60e6;
    private static final long MAX_CLOUD_MICROS = 90_000_000L;

    private final double phase;
    private final PoissonTimeline clouds;

    Daylight(long seed, double cloudsPerHour) {
        this.phase = new SplittableRandom(Seeds.mix(seed, 0x4C494748L)).nextDouble(2 * Math.PI);
        this.clouds = new PoissonTimeline(Seeds.mix(seed, 0x434C4F55L), cloudsPerHour / 3600.0);
    }

    double level(long timeMicros) {
        double drift = 0.72 + 0.22 * Math.sin(2 * Math.PI * (timeMicros / DRIFT_PERIOD_MICROS) + phase);
        double dim = 1.0;
        for (PoissonTimeline.Arrival cloud : clouds.between(timeMicros - MAX_CLOUD_MICROS, timeMicros + 1)) {
            SplittableRandom r = new SplittableRandom(cloud.seed());
            long duration = 30_000_000L + r.nextLong(MAX_CLOUD_MICROS - 30_000_000L);
            double depth = 0.15 + 0.25 * r.nextDouble();
            double u = (timeMicros - cloud.atMicros()) / (double) duration;
            if (u >= 0 && u <= 1) {
                double s = Math.sin(Math.PI * u);
                dim *= 1.0 - depth * s * s;
            }
        }
        return Math.max(0.25, Math.min(1.0, drift * dim));
    }

    /** {@code c} as lit by {@code level}. */
    static Color shade(Color c, double level) {
        return new Color(scale(c.getRed(), level), scale(c.getGreen(), level), scale(c.getBlue(), level));
    }

    private static int scale(int channel, double level) {
        return Math.min(255, (int) Math.round(channel * level));
    }
}
