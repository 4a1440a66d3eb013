package dev.doorbell.device.tls;

import dev.doorbell.wire.Transports;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/**
 * The device side of the link's TLS: TLS 1.3 only, the device certificate as client identity, and the fleet CA as
 * the only trust anchor, so a device talks to its own fleet's uplink and to nothing else.
 */
public final class DeviceTls {
    public static final String PROTOCOL = "TLSv1.3";
    static final String IN_MEMORY_KEY_STORE = "JKS";

    private DeviceTls() {}

    /**
     * Builds the client {@link SslContext} of a device; fails naming the device if a file does not parse. The uplink's
     * certificate must chain to the fleet CA and name the host given to {@code newHandler(alloc, host, port)}.
     */
    public static SslContext clientContext(DeviceDirectory device) {
        try {
            return SslContextBuilder.forClient()
                    .keyManager(
                            device.deviceCertFile().toFile(),
                            device.deviceKeyFile().toFile())
                    // The in-memory key store only carries the key to the TLS engine: PKCS12, the default, protects it
                    // with
                    // 10,000 rounds of PBKDF2 in and out, which made building 10,000 device contexts take over a
                    // minute.
                    .keyStoreType(IN_MEMORY_KEY_STORE)
                    .trustManager(device.caCertFile().toFile())
                    .protocols(PROTOCOL)
                    .sslProvider(Transports.sslProvider())
                    // The uplink must also be the host the device meant: pass that host to newHandler(alloc, host,
                    // port).
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new DeviceDirectoryException(
                    "device " + device.deviceId() + " at " + device.path()
                            + ": cannot build a TLS context from its certificate, key and CA: " + e.getMessage(),
                    e);
        }
    }
}
