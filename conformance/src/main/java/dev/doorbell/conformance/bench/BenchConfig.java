package dev.doorbell.conformance.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the bench listens and how long it waits.
 *
 * @param host the address to listen on
 * @param port the port, 0 for any free one
 * @param fleetDir the fleet directory of {@code doorbell provision}: its {@code uplink/} folder holds the server
 *     certificate and key and the fleet CA certificate the device certificates must chain to
 * @param restartPause how long the bench stops listening in {@link BenchCase#SHUTDOWN_RESTART}
 * @param revokedWatch how long the bench watches for reconnects after {@link BenchCase#REVOKED}
 * @param retryMax the longest a device may wait to retry after STORAGE_UNAVAILABLE
 * @param quietWait how long the bench waits for a device to fill its window or send a Ping before it judges
 */
public record BenchConfig(
        String host,
        int port,
        Path fleetDir,
        Duration restartPause,
        Duration revokedWatch,
        Duration retryMax,
        Duration quietWait) {
    public static final int WINDOW_FRAMES = 4;
    public static final int WINDOW_BYTES = 8 * 1024 * 1024;
    public static final int MAX_OPEN_CLIPS = 2;
    public static final int HEARTBEAT_MS = 500;
    public static final int IDLE_TIMEOUT_MS = 10_000;
    public static final int HANDSHAKE_DEADLINE_MS = 10_000;
    public static final int MAX_FRAME_BYTES = 2 * 1024 * 1024;
    public static final int MAX_MESSAGE_BYTES = MAX_FRAME_BYTES + 4096;
    public static final int MAX_FRAMES_PER_CLIP = 100_000;
    public static final int STORAGE_REFUSALS = 3;

    public BenchConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(fleetDir, "fleetDir");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
    }

    public static BenchConfig defaults(String host, int port, Path fleetDir) {
        return new BenchConfig(
                host,
                port,
                fleetDir,
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                Duration.ofSeconds(10),
                Duration.ofSeconds(3));
    }
}
