package dev.doorbell.device.camera;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A camera resolution profile: frame size, nominal frame rate and JPEG quality. */
public enum Profile {
    P240("240p", 320, 240, 10, 0.75f),
    P480("480p", 640, 480, 10, 0.75f),
    P720("720p", 1280, 720, 15, 0.70f);

    private final String label;
    private final int width;
    private final int height;
    private final int fps;
    private final float jpegQuality;

    Profile(String label, int width, int height, int fps, float jpegQuality) {
        this.label = label;
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.jpegQuality = jpegQuality;
    }

    /**
     * Parses "480p", "480", "P480" or "640x480" (any case). The error lists every choice, so that a mistyped
     * command line tells the user what would have worked.
     */
    public static Profile parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Profile p : values()) {
            String digits = p.label.substring(0, p.label.length() - 1);
            if (t.equals(p.label) || t.equals(digits) || t.equals("p" + digits) || t.equals(p.width + "x" + p.height)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown camera profile '" + text + "': choose one of " + choices());
    }

    /** "240p (320x240 @ 10 fps), 480p (...), ..." */
    public static String choices() {
        return Arrays.stream(values()).map(Profile::toString).collect(Collectors.joining(", "));
    }

    public String label() {
        return label;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int fps() {
        return fps;
    }

    public float jpegQuality() {
        return jpegQuality;
    }

    /**
     * Capture offset of frame {@code n} from the start of a run. Computed from n each time rather than by adding a
     * rounded interval, so that 15 fps does not drift by a microsecond per frame.
     */
    public long frameOffsetMicros(long n) {
        return Math.multiplyExact(n, 1_000_000L) / fps;
    }

    /** Nominal frame interval, rounded down to whole microseconds. */
    public long frameIntervalMicros() {
        return 1_000_000L / fps;
    }

    @Override
    public String toString() {
        return label + " (" + width + "x" + height + " @ " + fps + " fps)";
    }
}
