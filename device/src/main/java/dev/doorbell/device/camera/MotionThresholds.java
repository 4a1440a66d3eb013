package dev.doorbell.device.camera;

/**
 * Settings of the {@link MotionDetector}.
 *
 * @param pixelDelta a grid cell counts as changed when its brightness differs from the background by more than
 *     this, on a 0..255 scale, after light normalisation
 * @param areaFraction motion needs at least this fraction of the cells changed (0..1); it lasts while at least
 *     half of it stays changed (hysteresis)
 * @param confirmFrames consecutive frames above {@code areaFraction} before motion starts, so one glitch does not
 *     start a clip
 */
public record MotionThresholds(int pixelDelta, double areaFraction, int confirmFrames) {

    public MotionThresholds {
        if (pixelDelta < 1 || pixelDelta > 254) {
            throw new IllegalArgumentException("motion pixelDelta must be 1..254, got " + pixelDelta);
        }
        if (!(areaFraction > 0 && areaFraction <= 1)) {
            throw new IllegalArgumentException("motion areaFraction must be in (0, 1], got " + areaFraction);
        }
        if (confirmFrames < 1) {
            throw new IllegalArgumentException("motion confirmFrames must be >= 1, got " + confirmFrames);
        }
    }

    /** Tuned on the porch scene: a passer-by fires it, sensor noise, clouds and the porch light do not. */
    public static MotionThresholds defaults() {
        return new MotionThresholds(18, 0.01, 2);
    }
}
