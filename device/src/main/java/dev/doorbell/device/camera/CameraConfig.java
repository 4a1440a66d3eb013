package dev.doorbell.device.camera;

import dev.doorbell.proto.DeviceIds;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything that makes one simulated camera what it is. Two cameras with equal configs on clocks that start at
 * the same time record the same clips, frame for frame.
 *
 * @param seed the one source of randomness: scene, passers-by, clouds, rings, sensor noise
 * @param preRoll video kept from before a trigger (HomeKit Secure Video keeps at least 4 s)
 * @param postRoll a clip ends once this long has passed without motion or ring
 * @param maxClip no clip is longer than this, pre-roll included
 * @param ringRatePerHour mean visitors per hour who walk up and ring (once, or twice when impatient); 0 for none
 * @param crossingRatePerMinute mean people and cars passing per minute; 0 for none
 * @param cloudsPerHour mean clouds per hour that dim the light; 0 for a clear sky
 */
public record CameraConfig(
        String deviceId,
        Profile profile,
        long seed,
        Duration preRoll,
        Duration postRoll,
        Duration maxClip,
        double ringRatePerHour,
        double crossingRatePerMinute,
        double cloudsPerHour,
        MotionThresholds motion) {

    public CameraConfig {
        DeviceIds.require(deviceId);
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(motion, "motion");
        requireNotNegative(preRoll, "preRoll");
        requireNotNegative(postRoll, "postRoll");
        requireNotNegative(maxClip, "maxClip");
        if (maxClip.compareTo(preRoll) <= 0) {
            throw new IllegalArgumentException(
                    "camera " + deviceId + ": maxClip (" + maxClip + ") must be longer than preRoll (" + preRoll + ")");
        }
        requireRate(ringRatePerHour, "ringRatePerHour", deviceId);
        requireRate(crossingRatePerMinute, "crossingRatePerMinute", deviceId);
        requireRate(cloudsPerHour, "cloudsPerHour", deviceId);
    }

    /** 4 s pre-roll, 5 s post-roll, 60 s clips, 2 callers an hour, a passer-by every 2 minutes, 6 clouds an hour. */
    public static CameraConfig defaults(String deviceId, Profile profile, long seed) {
        return new CameraConfig(
                deviceId,
                profile,
                seed,
                Duration.ofSeconds(4),
                Duration.ofSeconds(5),
                Duration.ofSeconds(60),
                2.0,
                0.5,
                6.0,
                MotionThresholds.defaults());
    }

    public CameraConfig withSeed(long newSeed) {
        return new CameraConfig(
                deviceId,
                profile,
                newSeed,
                preRoll,
                postRoll,
                maxClip,
                ringRatePerHour,
                crossingRatePerMinute,
                cloudsPerHour,
                motion);
    }

    public CameraConfig withRolls(Duration newPreRoll, Duration newPostRoll, Duration newMaxClip) {
        return new CameraConfig(
                deviceId,
                profile,
                seed,
                newPreRoll,
                newPostRoll,
                newMaxClip,
                ringRatePerHour,
                crossingRatePerMinute,
                cloudsPerHour,
                motion);
    }

    public CameraConfig withRates(double newRingRatePerHour, double newCrossingRatePerMinute, double newCloudsPerHour) {
        return new CameraConfig(
                deviceId,
                profile,
                seed,
                preRoll,
                postRoll,
                maxClip,
                newRingRatePerHour,
                newCrossingRatePerMinute,
                newCloudsPerHour,
                motion);
    }

    public CameraConfig withMotion(MotionThresholds newMotion) {
        return new CameraConfig(
                deviceId,
                profile,
                seed,
                preRoll,
                postRoll,
                maxClip,
                ringRatePerHour,
                crossingRatePerMinute,
                cloudsPerHour,
                newMotion);
    }

    private static void requireNotNegative(Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a duration >= 0, got " + d);
        }
    }

    private static void requireRate(double rate, String name, String deviceId) {
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException(
                    "camera " + deviceId + ": " + name + " must be finite and >= 0, got " + rate);
        }
    }
}
