package dev.doorbell.uplink.server;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the uplink server is configured with: where it listens, its TLS files, and the limits it announces
 * in Welcome and enforces. Build one with {@link #builder()}; every limit has a default.
 *
 * <p>{@code insecurePlaintextForDebugging} turns TLS off: the device id is then taken from Hello, so any client
 * can claim to be any device. It exists for looking at the protocol with simple tools, never for real devices.
 *
 * <p>{@code reusePort} needs the epoll transport; without it the server refuses to start rather than silently
 * listen alone.
 */
public record UplinkConfig(
        String host,
        int port,
        Path caCert,
        Path serverCert,
        Path serverKey,
        boolean insecurePlaintextForDebugging,
        int maxMessageBytes,
        int maxFrameBytes,
        int maxFramesPerClip,
        int maxOpenClips,
        int windowFrames,
        int windowBytes,
        Duration heartbeat,
        Duration idleTimeout,
        Duration handshakeDeadline,
        int ioThreads,
        boolean reusePort,
        Clock clock,
        int maxErrors,
        Duration errorWindow,
        Duration errorBackoff,
        Path dataDirectory) {

    public static final String CA_CERT_FILE = "ca-cert.pem";
    public static final String SERVER_CERT_FILE = "server-cert.pem";
    public static final String SERVER_KEY_FILE = "server-key.pem";

    public UplinkConfig {
        Objects.requireNonNull(host, "host");
        requireRange("port", port, 0, 65535);
        if (insecurePlaintextForDebugging) {
            if (caCert != null || serverCert != null || serverKey != null) {
                throw new IllegalArgumentException("TLS files given together with insecure plaintext mode; choose one");
            }
        } else if (caCert == null || serverCert == null || serverKey == null) {
            throw new IllegalArgumentException(
                    "TLS needs the CA certificate, the server certificate and the server key (or insecure plaintext mode)");
        }
        requireRange("maxFrameBytes", maxFrameBytes, 1, Integer.MAX_VALUE);
        // A frame of the maximum size still needs room for its clip id, seq, metadata and field tags.
        requireRange("maxMessageBytes", maxMessageBytes, maxFrameBytes + 64, Integer.MAX_VALUE);
        requireRange("maxFramesPerClip", maxFramesPerClip, 1, Integer.MAX_VALUE);
        requireRange("maxOpenClips", maxOpenClips, 1, Integer.MAX_VALUE);
        requireRange("windowFrames", windowFrames, 1, Integer.MAX_VALUE);
        // Otherwise a frame of the maximum size could never be sent.
        requireRange("windowBytes", windowBytes, maxFrameBytes, Integer.MAX_VALUE);
        requirePositive("heartbeat", heartbeat);
        requirePositive("idleTimeout", idleTimeout);
        requirePositive("handshakeDeadline", handshakeDeadline);
        if (idleTimeout.compareTo(heartbeat) <= 0) {
            throw new IllegalArgumentException(
                    "idleTimeout " + human(idleTimeout) + " must be longer than heartbeat " + human(heartbeat));
        }
        requireRange("ioThreads", ioThreads, 0, 1024);
        Objects.requireNonNull(clock, "clock");
        requireRange("maxErrors", maxErrors, 1, Integer.MAX_VALUE);
        requirePositive("errorWindow", errorWindow);
        requirePositive("errorBackoff", errorBackoff);
        // Error.retry_after_ms is a uint32 of milliseconds.
        requireRange("errorBackoff in ms", errorBackoff.toMillis(), 1, Integer.MAX_VALUE);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.caCert = caCert;
        b.serverCert = serverCert;
        b.serverKey = serverKey;
        b.plaintext = insecurePlaintextForDebugging;
        b.maxMessageBytes = maxMessageBytes;
        b.maxFrameBytes = maxFrameBytes;
        b.maxFramesPerClip = maxFramesPerClip;
        b.maxOpenClips = maxOpenClips;
        b.windowFrames = windowFrames;
        b.windowBytes = windowBytes;
        b.heartbeat = heartbeat;
        b.idleTimeout = idleTimeout;
        b.handshakeDeadline = handshakeDeadline;
        b.ioThreads = ioThreads;
        b.reusePort = reusePort;
        b.clock = clock;
        b.maxErrors = maxErrors;
        b.errorWindow = errorWindow;
        b.errorBackoff = errorBackoff;
        b.dataDirectory = dataDirectory;
        return b;
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " is " + value + "; allowed: " + min + " to " + max);
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(
                    name + " must be a positive duration, not " + (value == null ? "none" : human(value)));
        }
    }

    /** As people write durations (and the serve options take them): 30s, 500ms. */
    private static String human(Duration value) {
        return value.toMillis() % 1000 == 0 ? value.toSeconds() + "s" : value.toMillis() + "ms";
    }

    /** Starts from the defaults of docs/PROTOCOL.md. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 7443;
        private Path caCert;
        private Path serverCert;
        private Path serverKey;
        private boolean plaintext;
        private int maxFrameBytes = 2 * 1024 * 1024;
        private int maxMessageBytes = maxFrameBytes + 4 * 1024;
        private int maxFramesPerClip = 100_000;
        private int maxOpenClips = 16;
        private int windowFrames = 64;
        private int windowBytes = 8 * 1024 * 1024;
        private Duration heartbeat = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration handshakeDeadline = Duration.ofSeconds(10);
        private int ioThreads;
        private boolean reusePort;
        private int maxErrors = 100;
        private Duration errorWindow = Duration.ofSeconds(10);
        private Duration errorBackoff = Duration.ofSeconds(10);
        private Path dataDirectory;

        private Builder() {}

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder tlsFiles(Path ca, Path cert, Path key) {
            caCert = ca;
            serverCert = cert;
            serverKey = key;
            return this;
        }

        /** The three PEM files that {@code doorbell provision} writes into its {@code uplink/} folder. */
        public Builder tlsDirectory(Path dir) {
            return tlsFiles(dir.resolve(CA_CERT_FILE), dir.resolve(SERVER_CERT_FILE), dir.resolve(SERVER_KEY_FILE));
        }

        public Builder insecurePlaintextForDebugging(boolean value) {
            plaintext = value;
            return this;
        }

        public Builder maxMessageBytes(int value) {
            maxMessageBytes = value;
            return this;
        }

        public Builder maxFrameBytes(int value) {
            maxFrameBytes = value;
            return this;
        }

        public Builder maxFramesPerClip(int value) {
            maxFramesPerClip = value;
            return this;
        }

        public Builder maxOpenClips(int value) {
            maxOpenClips = value;
            return this;
        }

        public Builder windowFrames(int value) {
            windowFrames = value;
            return this;
        }

        public Builder windowBytes(int value) {
            windowBytes = value;
            return this;
        }

        public Builder heartbeat(Duration value) {
            heartbeat = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            idleTimeout = value;
            return this;
        }

        public Builder handshakeDeadline(Duration value) {
            handshakeDeadline = value;
            return this;
        }

        /** Event-loop threads; 0 lets Netty choose (twice the cores). */
        public Builder ioThreads(int value) {
            ioThreads = value;
            return this;
        }

        /**
         * SO_REUSEPORT (epoll only): several uplink processes, each with its own store, listen on one port and the kernel
         * spreads new connections over them.
         */
        public Builder reusePort(boolean value) {
            reusePort = value;
            return this;
        }

        /** The clock against which certificate dates are checked (the system's UTC clock by default). */
        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        /**
         * A session that causes more than {@code max} non-fatal errors within {@code window} is closed with
         * TOO_MANY_ERRORS, and the device's new sessions are refused for {@code backoff} (the Error says so).
         */
        public Builder errorLimit(int max, Duration window, Duration backoff) {
            maxErrors = max;
            errorWindow = window;
            errorBackoff = backoff;
            return this;
        }

        /**
         * The directory of {@code serve --data}: beside the store, the uplink keeps there the revocation list in force
         * and the highest CRL number it has taken, so that a restart cannot take an older list. None: not kept.
         */
        public Builder dataDirectory(Path value) {
            dataDirectory = value;
            return this;
        }

        public UplinkConfig build() {
            return new UplinkConfig(
                    host,
                    port,
                    caCert,
                    serverCert,
                    serverKey,
                    plaintext,
                    maxMessageBytes,
                    maxFrameBytes,
                    maxFramesPerClip,
                    maxOpenClips,
                    windowFrames,
                    windowBytes,
                    heartbeat,
                    idleTimeout,
                    handshakeDeadline,
                    ioThreads,
                    reusePort,
                    clock,
                    maxErrors,
                    errorWindow,
                    errorBackoff,
                    dataDirectory);
        }
    }
}
