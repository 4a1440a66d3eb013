package dev.doorbell.device.link;

import dev.doorbell.proto.DeviceIds;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Settings of one device's link to the uplink.
 *
 * <p>{@code sslContext} is a client context with the device certificate and the fleet CA. It may be null only
 * together with {@code insecurePlaintext}, a debugging mode named loudly so that it is never chosen by accident.
 * {@code random} draws the reconnect jitter, so a seeded run reconnects on a reproducible schedule.
 *
 * @param connectTimeout bounds the TCP connect, and separately the wait for Welcome after the TLS handshake
 * @param backoffInitial first reconnect delay ceiling; the ceiling doubles per failed attempt up to backoffMax,
 *     and the delay is drawn uniformly from [0, ceiling] ("full jitter")
 * @param bufferLimitBytes most header, meta and sealed bytes kept until PERSISTED, see {@link BufferPolicy}
 * @param maxInboundMessageBytes largest uplink message accepted; a longer length prefix closes the connection
 * @param localAddress source address to bind the socket to, or null for the system's choice; a load generator
 *     spreads devices over 127.0.0.1, 127.0.0.2, ... because each source address has only ~28k ephemeral ports
 */
public record LinkConfig(
        String host,
        int port,
        SslContext sslContext,
        boolean insecurePlaintext,
        String deviceId,
        String firmware,
        Duration connectTimeout,
        Duration backoffInitial,
        Duration backoffMax,
        Random random,
        long bufferLimitBytes,
        BufferPolicy bufferPolicy,
        int maxInboundMessageBytes,
        InetAddress localAddress) {

    public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;
    public static final long DEFAULT_BUFFER_LIMIT_BYTES = 64L * 1024 * 1024;

    public LinkConfig {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (sslContext == null && !insecurePlaintext) {
            throw new IllegalArgumentException("an SslContext is required; plaintext exists only as insecurePlaintext");
        }
        if (sslContext != null && insecurePlaintext) {
            throw new IllegalArgumentException("insecurePlaintext and an SslContext exclude each other");
        }
        DeviceIds.require(deviceId);
        Objects.requireNonNull(firmware, "firmware");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(backoffInitial, "backoffInitial");
        requirePositive(backoffMax, "backoffMax");
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException(
                    "backoffMax " + backoffMax + " is below backoffInitial " + backoffInitial);
        }
        Objects.requireNonNull(random, "random");
        if (bufferLimitBytes <= 0) {
            throw new IllegalArgumentException("bufferLimitBytes must be positive, got " + bufferLimitBytes);
        }
        Objects.requireNonNull(bufferPolicy, "bufferPolicy");
        if (maxInboundMessageBytes <= 0) {
            throw new IllegalArgumentException(
                    "maxInboundMessageBytes must be positive, got " + maxInboundMessageBytes);
        }
    }

    /** A builder with defaults for everything but the address, the identity and the transport security. */
    public static Builder builder(String host, int port, String deviceId) {
        return new Builder(host, port, deviceId);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }

    /** Builds a {@link LinkConfig}; exactly one of {@link #tls} or {@link #insecurePlaintext()} must be called. */
    public static final class Builder {
        private final String host;
        private final int port;
        private final String deviceId;
        private SslContext sslContext;
        private boolean insecurePlaintext;
        private String firmware = "doorbell-sim/0.1.0";
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration backoffInitial = Duration.ofMillis(100);
        private Duration backoffMax = Duration.ofSeconds(10);
        private Random random = new Random();
        private long bufferLimitBytes = DEFAULT_BUFFER_LIMIT_BYTES;
        private BufferPolicy bufferPolicy = BufferPolicy.BLOCK;
        private int maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
        private InetAddress localAddress;

        private Builder(String host, int port, String deviceId) {
            this.host = host;
            this.port = port;
            this.deviceId = deviceId;
        }

        public Builder tls(SslContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /** Plaintext TCP, for local debugging only: no confidentiality, no device identity. */
        public Builder insecurePlaintext() {
            this.insecurePlaintext = true;
            return this;
        }

        public Builder firmware(String value) {
            this.firmware = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        public Builder random(Random value) {
            this.random = value;
            return this;
        }

        public Builder buffer(long limitBytes, BufferPolicy policy) {
            this.bufferLimitBytes = limitBytes;
            this.bufferPolicy = policy;
            return this;
        }

        public Builder maxInboundMessageBytes(int value) {
            this.maxInboundMessageBytes = value;
            return this;
        }

        /** Binds the socket to this source address (any free port); null leaves the choice to the system. */
        public Builder localAddress(InetAddress value) {
            this.localAddress = value;
            return this;
        }

        public LinkConfig build() {
            return new LinkConfig(
                    host,
                    port,
                    sslContext,
                    insecurePlaintext,
                    deviceId,
                    firmware,
                    connectTimeout,
                    backoffInitial,
                    backoffMax,
                    random,
                    bufferLimitBytes,
                    bufferPolicy,
                    maxInboundMessageBytes,
                    localAddress);
        }
    }
}
