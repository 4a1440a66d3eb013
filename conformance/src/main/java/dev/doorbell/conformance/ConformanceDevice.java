package dev.doorbell.conformance;

import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.DeviceDirectoryException;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * A provisioned device as the conformance suite uses it: its id, a JSSE TLS context made from its certificate, key
 * and fleet CA (for the blocking {@link RawSession}), and the device as paired ({@link PairedDevice}: its signing key,
 * the owner's key and its recipient list), so that the clips it uploads are real v2 clips that the owner can open.
 * An unpaired conformance device is refused with the one line that says to pair it.
 */
final class ConformanceDevice {
    private final DeviceDirectory directory;
    private final SSLContext tls;
    private final PairedDevice paired;

    private ConformanceDevice(DeviceDirectory directory, SSLContext tls, PairedDevice paired) {
        this.directory = directory;
        this.tls = tls;
        this.paired = paired;
    }

    static ConformanceDevice load(DeviceDirectory directory) {
        try {
            // Netty reads the PEM key and certificates; the JDK provider gives a javax SSLContext for plain sockets.
            SslContext netty = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .keyManager(
                            directory.deviceCertFile().toFile(),
                            directory.deviceKeyFile().toFile())
                    .trustManager(directory.caCertFile().toFile())
                    .protocols("TLSv1.3")
                    .build();
            return new ConformanceDevice(
                    directory,
                    ((JdkSslContext) netty).context(),
                    DevicePairing.loadWithChainInMemory(directory.path()));
        } catch (SSLException | IllegalArgumentException e) {
            throw new DeviceDirectoryException(
                    "device " + directory.deviceId() + " at " + directory.path() + ": cannot build a TLS context: "
                            + e.getMessage(),
                    e);
        }
    }

    String id() {
        return directory.deviceId();
    }

    SSLContext tls() {
        return tls;
    }

    PairedDevice paired() {
        return paired;
    }

    @Override
    public String toString() {
        return "ConformanceDevice{" + id() + "}";
    }
}
