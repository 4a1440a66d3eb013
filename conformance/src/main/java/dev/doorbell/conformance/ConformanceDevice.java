package dev.doorbell.conformance;

import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.DeviceDirectoryException;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.EpochKeyFile;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * A provisioned device as the conformance suite uses it: its id, a JSSE TLS context made from its certificate, key
 * and fleet CA (for the blocking {@link RawSession}), and its current epoch key, so that the clips it uploads are
 * real sealed clips that the owner can open.
 */
final class ConformanceDevice {
    private final DeviceDirectory directory;
    private final SSLContext tls;
    private final EpochKey key;

    private ConformanceDevice(DeviceDirectory directory, SSLContext tls, EpochKey key) {
        this.directory = directory;
        this.tls = tls;
        this.key = key;
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
                    directory, ((JdkSslContext) netty).context(), EpochKeyFile.read(directory.epochKeyFile()));
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

    EpochKey key() {
        return key;
    }

    @Override
    public String toString() {
        return "ConformanceDevice{" + id() + "}";
    }
}
