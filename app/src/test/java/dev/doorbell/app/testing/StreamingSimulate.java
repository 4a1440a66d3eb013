package dev.doorbell.app.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of a `doorbell simulate` of one device that streams at once and all the time: a press half a second
 * in, short clips back to back, a progress line every half second (with its frames PERSISTED), small frames.
 */
public final class StreamingSimulate {
    private StreamingSimulate() {}

    /** Arguments for {@code simulate} of {@code deviceDir} (device {@code deviceId}) against the uplink on port. */
    public static List<String> args(Path deviceDir, String deviceId, int port, String duration) {
        return new ArrayList<>(List.of(
                "simulate",
                "--device-dir",
                deviceDir.toString(),
                "--uplink",
                "127.0.0.1:" + port,
                "--duration",
                duration,
                "--profile",
                "240p",
                "--progress-every",
                "500ms",
                "--crossing-rate",
                "30",
                "--pre-roll",
                "500ms",
                "--post-roll",
                "500ms",
                "--max-clip",
                "2s",
                "--ring-at",
                deviceId + "=500ms"));
    }
}
