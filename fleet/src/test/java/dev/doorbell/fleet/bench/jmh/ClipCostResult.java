package dev.doorbell.fleet.bench.jmh;

import java.util.Arrays;

/**
 * One row of the per-clip cost of format v2: {@code start} (a device sealing a clip's header) or {@code open} (an
 * opener checking it and unwrapping the clip key) for a number of recipients of one kem ({@code x25519} or {@code
 * x-wing}), in microseconds per clip, best and median over the rounds (noise on a shared machine only ever slows a
 * round down), with the size of that clip's header.
 */
public record ClipCostResult(
        String method,
        String kem,
        int recipients,
        int headerBytes,
        double bestMicros,
        double medianMicros,
        int rounds) {
    static final String START = "start";
    static final String OPEN = "open";

    public static ClipCostResult fromMicros(
            String method, String kem, int recipients, int headerBytes, double[] micros) {
        double[] sorted = micros.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        double median =
                sorted.length == 0 ? 0 : sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new ClipCostResult(
                method, kem, recipients, headerBytes, sorted.length == 0 ? 0 : sorted[0], median, sorted.length);
    }

    /** Clips a second on one core at the best figure. */
    public double clipsPerSecond() {
        return bestMicros == 0 ? 0 : 1e6 / bestMicros;
    }

    public String row() {
        return String.format(
                "%-6s %-7s %10d %12d %12.1f %12.1f %14.0f",
                method, kem, recipients, headerBytes, bestMicros, medianMicros, clipsPerSecond());
    }

    public static String heading() {
        return String.format(
                "%-6s %-7s %10s %12s %12s %12s %14s",
                "clip", "kem", "recipients", "header B", "best us", "median us", "clips/s/core");
    }
}
