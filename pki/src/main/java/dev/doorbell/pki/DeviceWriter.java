package dev.doorbell.pki;

import dev.doorbell.proto.DeviceFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * Writes one device directory: a fresh P-256 key, a certificate from the fleet CA, the CA certificate (a hard link to
 * {@code ca/ca-cert.pem} where the file system allows) and {@code device.properties}; then whatever the
 * {@link DeviceEnrollment} adds. Called from several threads at once, one device per call.
 */
final class DeviceWriter {
    private final FleetLayout layout;
    private final Path devicesDir;
    private final FleetCa ca;
    private final String caCertPem;
    private final SecureRandom random;
    private final Instant now;
    private final Duration validity;
    private final DeviceEnrollment enrollment;

    /** Writes each device into {@code devicesDir}/{@code <id>}. */
    DeviceWriter(
            FleetLayout layout,
            Path devicesDir,
            FleetCa ca,
            SecureRandom random,
            Instant now,
            Duration validity,
            DeviceEnrollment enrollment)
            throws IOException {
        this.layout = layout;
        this.devicesDir = devicesDir;
        this.ca = ca;
        this.caCertPem = Pem.certificate(ca.certificate());
        this.random = random;
        this.now = now;
        this.validity = validity;
        this.enrollment = enrollment;
    }

    void write(String deviceId) throws IOException {
        Path dir = PrivateFiles.privateDirectory(devicesDir.resolve(deviceId));
        KeyPair pair = EcKeys.generate(random);
        X509Certificate certificate = ca.issueDevice(deviceId, pair.getPublic(), random, now, validity);
        PrivateFiles.linkPublic(dir.resolve(DeviceFiles.CA_CERT), layout.caCert(), caCertPem);
        // Nothing is forced here: FleetProvisioner makes the whole fleet durable at once (FleetSync) before it writes
        // fleet.txt and reports success; a fleet without fleet.txt was cut short and is not used.
        PrivateFiles.writeDeferred(
                dir.resolve(DeviceFiles.DEVICE_CERT), Pem.certificate(certificate), PrivateFiles.PUBLIC_FILE);
        PrivateFiles.writeDeferred(
                dir.resolve(DeviceFiles.DEVICE_KEY), Pem.privateKey(pair.getPrivate()), PrivateFiles.PRIVATE_FILE);
        PrivateFiles.writeDeferred(
                dir.resolve(DeviceFiles.PROPERTIES), properties(deviceId, certificate), PrivateFiles.PUBLIC_FILE);
        enrollment.enroll(layout, deviceId, dir);
    }

    private static String properties(String deviceId, X509Certificate certificate) {
        return "# doorbell device, written by `doorbell provision`\n"
                + DeviceFiles.PROPERTY_DEVICE_ID + "=" + deviceId + "\n"
                + "certificate.serial=" + certificate.getSerialNumber().toString(16) + "\n"
                + "certificate.not-after=" + certificate.getNotAfter().toInstant() + "\n";
    }
}
