package dev.doorbell.device.tls;

import static dev.doorbell.proto.DeviceFiles.CA_CERT;
import static dev.doorbell.proto.DeviceFiles.DEVICE_CERT;
import static dev.doorbell.proto.DeviceFiles.DEVICE_KEY;
import static dev.doorbell.proto.DeviceFiles.PROPERTIES;
import static dev.doorbell.proto.DeviceFiles.PROPERTY_DEVICE_ID;
import static dev.doorbell.proto.DeviceFiles.SIGNING_KEY;

import dev.doorbell.proto.DeviceIds;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One provisioned device on disk ({@code devices/<id>/} of a fleet): its CA certificate, its TLS certificate and
 * key and {@code device.properties}. {@link #load} checks that every file is there and that the certificate names the
 * same device as the properties, so that a mix-up fails here and not in a TLS handshake. What pairing adds (the
 * device's signing key, the owner's key, the recipient list) is read by {@code DevicePairing}.
 */
public final class DeviceDirectory {
    private static final Logger log = LoggerFactory.getLogger(DeviceDirectory.class);
    private static final List<String> REQUIRED = List.of(CA_CERT, DEVICE_CERT, DEVICE_KEY, PROPERTIES);

    private final Path path;
    private final String deviceId;

    private DeviceDirectory(Path path, String deviceId) {
        this.path = path;
        this.deviceId = deviceId;
    }

    /** Loads and checks a device directory; throws {@link DeviceDirectoryException} naming what is wrong. */
    public static DeviceDirectory load(Path dir) {
        requireProvisioned(dir);
        String fromProperties = readDeviceId(dir);
        String fromCertificate = deviceIdOf(readCertificate(dir.resolve(DEVICE_CERT)));
        if (fromCertificate == null) {
            throw new DeviceDirectoryException("device directory " + dir + ": " + DEVICE_CERT + " has no SAN URI "
                    + DeviceIds.SAN_URI_PREFIX + "<id>");
        }
        if (!fromCertificate.equals(fromProperties)) {
            throw new DeviceDirectoryException("device directory " + dir + ": " + PROPERTIES + " says device '"
                    + fromProperties + "' but " + DEVICE_CERT + " is for device '" + fromCertificate + "'");
        }
        warnIfShared(dir.resolve(DEVICE_KEY), fromCertificate);
        if (Files.exists(dir.resolve(SIGNING_KEY))) {
            warnIfShared(dir.resolve(SIGNING_KEY), fromCertificate);
        }
        return new DeviceDirectory(dir, fromCertificate);
    }

    /**
     * That {@code dir} is a directory with every file provisioning writes, without reading any of them: what {@link
     * DeviceLock} checks before it makes its lock file there.
     */
    static void requireProvisioned(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DeviceDirectoryException("device directory " + dir + " does not exist (make one with `doorbell "
                    + "provision`, then use one of DIR/devices/<id>)");
        }
        for (String name : REQUIRED) {
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new DeviceDirectoryException(
                        "device directory " + dir + ": missing or unreadable " + name + " (" + purpose(name) + ")");
            }
        }
    }

    /** The device id in a certificate's SAN URI, or null when it has none (or an invalid one). */
    public static String deviceIdOf(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return null;
            }
            for (List<?> name : names) {
                if (Integer.valueOf(6).equals(name.get(0))) { // 6 = uniformResourceIdentifier (RFC 5280)
                    String id = DeviceIds.fromSanUri((String) name.get(1));
                    if (id != null) {
                        return id;
                    }
                }
            }
            return null;
        } catch (CertificateParsingException e) {
            return null;
        }
    }

    public Path path() {
        return path;
    }

    public String deviceId() {
        return deviceId;
    }

    public Path caCertFile() {
        return path.resolve(CA_CERT);
    }

    public Path deviceCertFile() {
        return path.resolve(DEVICE_CERT);
    }

    public Path deviceKeyFile() {
        return path.resolve(DEVICE_KEY);
    }

    public Path propertiesFile() {
        return path.resolve(PROPERTIES);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DeviceDirectory that && that.path.equals(path) && that.deviceId.equals(deviceId);
    }

    @Override
    public int hashCode() {
        return path.hashCode() * 31 + deviceId.hashCode();
    }

    @Override
    public String toString() {
        return "DeviceDirectory{" + deviceId + " at " + path + "}";
    }

    private static String readDeviceId(Path dir) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(dir.resolve(PROPERTIES), StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new DeviceDirectoryException("device directory " + dir + ": cannot read " + PROPERTIES, e);
        }
        String id = properties.getProperty(PROPERTY_DEVICE_ID);
        if (!DeviceIds.isValid(id)) {
            throw new DeviceDirectoryException("device directory " + dir + ": " + PROPERTIES + " needs "
                    + PROPERTY_DEVICE_ID + "=<id>, where an id is " + DeviceIds.RULE);
        }
        return id;
    }

    private static X509Certificate readCertificate(Path file) {
        // The JDK reads PEM certificates itself, so the link client does not need BouncyCastle for this.
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | CertificateException | ClassCastException e) {
            throw new DeviceDirectoryException(file + ": not a PEM X.509 certificate: " + e.getMessage(), e);
        }
    }

    private static void warnIfShared(Path secret, String deviceId) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(secret);
            if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("device {}: {} is readable by group or others; it should be mode 0600", deviceId, secret);
            }
        } catch (UnsupportedOperationException | IOException e) {
            log.debug("device {}: cannot check the mode of {}", deviceId, secret, e);
        }
    }

    private static String purpose(String name) {
        return switch (name) {
            case CA_CERT -> "the fleet CA certificate, to verify the uplink";
            case DEVICE_CERT -> "the device's TLS client certificate";
            case DEVICE_KEY -> "the device's TLS private key";
            default -> "the device id, as " + PROPERTY_DEVICE_ID + "=<id>";
        };
    }
}
